/*
 * Watchlist and diary enhancements. Every form works without them.
 *
 * - Watchlist toggles: a submitted <form data-watchlist="<add URL>"> is sent
 *   with fetch (its fields, CSRF token included, and Accept: application/json);
 *   the answer {"on_watchlist": bool, "count": n} updates every toggle of that
 *   movie (aria-pressed, label, the URL it posts to next), the elements marked
 *   data-watchlist-only="<add URL>" (shown while the movie is listed) and every
 *   data-watchlist-count element. On any failure the form is submitted the
 *   ordinary way, so the server answers with a page.
 * - Today's date: an <input type="date" data-local-today> left as the server
 *   filled it takes the visitor's own date, since the server's day may differ.
 *
 * Loaded with `defer` by base.jinja2, once, on every page a member sees.
 */
(function () {
  'use strict';

  /* Watchlist toggles ----------------------------------------------------- */

  function eachWithAttribute(name, value, callback) {
    var nodes = document.querySelectorAll('[' + name + ']');
    for (var i = 0; i < nodes.length; i += 1) {
      if (value === null || nodes[i].getAttribute(name) === value) {
        callback(nodes[i]);
      }
    }
  }

  function showState(form, onList) {
    var addUrl = form.getAttribute('data-watchlist');
    form.setAttribute('action', onList ? addUrl + '/remove' : addUrl);
    var button = form.querySelector('button[aria-pressed]');
    if (!button) {
      return;
    }
    button.setAttribute('aria-pressed', onList ? 'true' : 'false');
    button.classList.toggle('active', onList);
    var labels = button.querySelectorAll('[data-watchlist-state]');
    for (var i = 0; i < labels.length; i += 1) {
      labels[i].hidden = labels[i].getAttribute('data-watchlist-state') !== (onList ? 'on' : 'off');
    }
  }

  function update(addUrl, onList, count) {
    eachWithAttribute('data-watchlist', addUrl, function (form) {
      showState(form, onList);
    });
    eachWithAttribute('data-watchlist-only', addUrl, function (node) {
      node.hidden = !onList;
      var box = node.querySelector('input[type="checkbox"]');
      if (box) {
        box.checked = onList;
      }
    });
    eachWithAttribute('data-watchlist-count', null, function (node) {
      node.textContent = count.toLocaleString(document.documentElement.lang || undefined);
    });
  }

  function isJson(response) {
    var type = response.headers.get('Content-Type') || '';
    return type.indexOf('application/json') === 0;
  }

  function send(form) {
    var button = form.querySelector('button[type="submit"], button:not([type])');
    if (button) {
      if (button.disabled) {
        return; // a request for this toggle is on its way
      }
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
    function done() {
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    }
    window
      .fetch(form.getAttribute('action'), {
        method: 'POST',
        body: new FormData(form),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      })
      .then(function (response) {
        // A redirect (to the login page, say) or an HTML page is not our answer.
        if (!response.ok || response.redirected || !isJson(response)) {
          throw new Error('Watchlist update failed: HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!data || typeof data.on_watchlist !== 'boolean' || typeof data.count !== 'number') {
          throw new Error('Watchlist update failed: unexpected answer');
        }
        done();
        update(form.getAttribute('data-watchlist'), data.on_watchlist, data.count);
      })
      .catch(function () {
        done();
        // submit() does not fire the submit event, so this does not loop.
        form.submit();
      });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (
      event.defaultPrevented ||
      !(form instanceof HTMLFormElement) ||
      !form.hasAttribute('data-watchlist') ||
      !window.fetch ||
      !window.FormData
    ) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  /* Today's date ----------------------------------------------------------- */

  function localToday() {
    var now = new Date();
    var month = String(now.getMonth() + 1).padStart(2, '0');
    var day = String(now.getDate()).padStart(2, '0');
    return now.getFullYear() + '-' + month + '-' + day;
  }

  function useLocalToday() {
    var today = localToday();
    var inputs = document.querySelectorAll('input[type="date"][data-local-today]');
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      var max = input.getAttribute('max');
      // Only a value nobody has touched, and only within what the server accepts.
      if (input.value === input.defaultValue && (!max || today <= max)) {
        input.value = today;
      }
    }
  }

  useLocalToday();
})();
