/*
 * Type-ahead: suggestions under the site search box (#site-search), from the
 * URL in its data-suggest-url, as an ARIA combobox with a listbox. Without it
 * the box is an ordinary search form.
 *
 * Any other input with data-suggest-url and data-suggest-pick (the id of a
 * hidden input) is a picker: choosing a suggestion puts its id in the hidden
 * input and its name in the box, instead of opening its page. Typing again
 * clears the id, so the server then goes by the typed name.
 *
 * Its words come translated from the page (#js-messages in base.jinja2), with
 * English kept here for a page that lacks them.
 *
 * Loaded with `defer`. The Content-Security-Policy forbids inline script and
 * style, so everything here goes through the DOM API; data from the server is
 * only ever set as textContent, never parsed as HTML.
 */
(function () {
  'use strict';

  var MIN_LENGTH = 2;
  var DELAY_MS = 150;
  var ENGLISH = {
    suggestionsOne: '{count} suggestion. Use the up and down arrows to choose.',
    suggestionsOther: '{count} suggestions. Use the up and down arrows to choose.',
    suggestionsNone: 'No suggestions.',
    picked: '{title} picked.',
    typeMovie: 'Movie',
    typePerson: 'Person',
    typeOther: 'Result',
  };

  function message(name, values) {
    var holder = document.getElementById('js-messages');
    var text = (holder && holder.dataset[name]) || ENGLISH[name];
    Object.keys(values || {}).forEach(function (key) {
      text = text.split('{' + key + '}').join(values[key]);
    });
    return text;
  }

  function localNumber(number) {
    return number.toLocaleString(document.documentElement.lang || undefined);
  }

  var TYPE_LABELS = { movie: 'typeMovie', person: 'typePerson' };

  // Only same-site links and http(s) images from the server's answer are used.
  function sameOriginUrl(value) {
    if (typeof value !== 'string' || value === '') {
      return null;
    }
    try {
      var url = new URL(value, window.location.href);
      return url.origin === window.location.origin ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function imageUrl(value) {
    if (typeof value !== 'string' || value === '') {
      return null;
    }
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function emptyImage() {
    var box = element('span', 'suggestion-image suggestion-image-empty');
    box.setAttribute('aria-hidden', 'true');
    return box;
  }

  function Suggest(input) {
    this.input = input;
    this.form = input.form;
    this.endpoint = input.getAttribute('data-suggest-url');
    this.listbox = document.getElementById(input.getAttribute('aria-controls'));
    this.results = [];
    this.active = -1;
    this.timer = 0;
    this.sequence = 0;
    this.controller = null;
    this.lastQuery = '';
    this.pick = document.getElementById(input.getAttribute('data-suggest-pick') || '');
    this.status = element('div', 'visually-hidden');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.input.insertAdjacentElement('afterend', this.status);
    this.bind();
  }

  Suggest.prototype.bind = function () {
    var self = this;
    this.input.addEventListener('input', function () {
      self.onInput();
    });
    this.input.addEventListener('keydown', function (event) {
      self.onKeydown(event);
    });
    this.input.addEventListener('focus', function () {
      if (self.results.length && self.query() === self.lastQuery) {
        self.open();
      }
    });
    this.input.addEventListener('blur', function () {
      self.close();
    });
    // Keep the focus in the box while the mouse is down on a suggestion, so
    // the blur above does not close the list before the click lands.
    this.listbox.addEventListener('mousedown', function (event) {
      event.preventDefault();
    });
    this.listbox.addEventListener('click', function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) {
        self.go(Number(option.getAttribute('data-index')), event.ctrlKey || event.metaKey);
      }
    });
  };

  Suggest.prototype.query = function () {
    return this.input.value.trim();
  };

  Suggest.prototype.onInput = function () {
    var self = this;
    var query = this.query();
    window.clearTimeout(this.timer);
    if (this.pick) {
      this.pick.value = '';
    }
    if (query.length < MIN_LENGTH) {
      this.cancel();
      this.results = [];
      this.lastQuery = '';
      this.close();
      return;
    }
    this.timer = window.setTimeout(function () {
      self.fetch(query);
    }, DELAY_MS);
  };

  Suggest.prototype.cancel = function () {
    this.sequence += 1; // any answer still on its way is now stale
    if (this.controller) {
      this.controller.abort();
      this.controller = null;
    }
  };

  Suggest.prototype.fetch = function (query) {
    var self = this;
    this.cancel();
    var sequence = this.sequence;
    var options = { headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (window.AbortController) {
      this.controller = new AbortController();
      options.signal = this.controller.signal;
    }
    window
      .fetch(this.endpoint + (this.endpoint.indexOf('?') >= 0 ? '&' : '?') + 'q=' + encodeURIComponent(query), options)
      .then(function (response) {
        if (!response.ok) {
          throw new Error('Suggestions failed: HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (sequence !== self.sequence) {
          return; // a newer query has been sent since
        }
        self.controller = null;
        self.lastQuery = query;
        self.show(data && Array.isArray(data.results) ? data.results : []);
      })
      .catch(function (error) {
        if (sequence === self.sequence && error.name !== 'AbortError') {
          self.results = [];
          self.close();
        }
      });
  };

  Suggest.prototype.show = function (results) {
    var self = this;
    this.results = results
      .map(function (result) {
        return result && typeof result === 'object'
          ? {
              id: result.id,
              type: result.type,
              title: String(result.title || ''),
              subtitle: result.subtitle == null ? '' : String(result.subtitle),
              url: sameOriginUrl(result.url),
              image: imageUrl(result.image),
            }
          : null;
      })
      .filter(function (result) {
        return result && result.url && result.title;
      });
    this.active = -1;
    this.listbox.replaceChildren.apply(
      this.listbox,
      this.results.map(function (result, index) {
        return self.option(result, index);
      })
    );
    var found = this.results.length;
    this.announce(
      found
        ? message(found === 1 ? 'suggestionsOne' : 'suggestionsOther', { count: localNumber(found) })
        : message('suggestionsNone')
    );
    if (this.results.length && document.activeElement === this.input) {
      this.open();
    } else {
      this.close();
    }
  };

  Suggest.prototype.option = function (result, index) {
    var option = element('li', 'suggestion');
    option.id = this.listbox.id + '-' + index;
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', 'false');
    option.setAttribute('data-index', String(index));

    if (result.image) {
      var img = element('img', 'suggestion-image');
      img.alt = '';
      img.width = 32;
      img.height = 48;
      img.decoding = 'async';
      img.addEventListener('error', function () {
        img.replaceWith(emptyImage());
      });
      img.src = result.image;
      option.appendChild(img);
    } else {
      option.appendChild(emptyImage());
    }

    var text = element('span', 'suggestion-text');
    text.appendChild(element('span', 'suggestion-title', result.title));
    if (result.subtitle) {
      text.appendChild(element('span', 'suggestion-subtitle', result.subtitle));
    }
    option.appendChild(text);

    var label = message(TYPE_LABELS[result.type] || 'typeOther');
    option.appendChild(
      element('span', 'badge suggestion-type suggestion-type-' + (TYPE_LABELS[result.type] ? result.type : 'other'), label)
    );
    return option;
  };

  Suggest.prototype.announce = function (message) {
    this.status.textContent = message;
  };

  Suggest.prototype.open = function () {
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  Suggest.prototype.close = function () {
    window.clearTimeout(this.timer);
    this.setActive(-1);
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  };

  Suggest.prototype.isOpen = function () {
    return !this.listbox.hidden;
  };

  Suggest.prototype.setActive = function (index) {
    var options = this.listbox.children;
    if (this.active >= 0 && options[this.active]) {
      options[this.active].setAttribute('aria-selected', 'false');
      options[this.active].classList.remove('active');
    }
    this.active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute('aria-selected', 'true');
      options[index].classList.add('active');
      options[index].scrollIntoView({ block: 'nearest' });
      this.input.setAttribute('aria-activedescendant', options[index].id);
    } else {
      this.active = -1;
      this.input.removeAttribute('aria-activedescendant');
    }
  };

  Suggest.prototype.move = function (step) {
    var count = this.results.length;
    if (!count) {
      return;
    }
    if (!this.isOpen()) {
      this.open();
    }
    // Past either end the selection goes back to the text box (-1).
    var next = this.active + step;
    if (next < -1) {
      next = count - 1;
    } else if (next >= count) {
      next = -1;
    }
    this.setActive(next);
  };

  Suggest.prototype.go = function (index, newTab) {
    var result = this.results[index];
    if (!result) {
      return;
    }
    if (this.pick) {
      this.pick.value = String(result.id);
      this.input.value = result.title;
      this.lastQuery = result.title;
      this.close();
      this.announce(message('picked', { title: result.title }));
      return;
    }
    if (newTab) {
      window.open(result.url, '_blank', 'noopener');
      return;
    }
    this.close();
    window.location.assign(result.url);
  };

  Suggest.prototype.onKeydown = function (event) {
    if (event.altKey || event.isComposing) {
      return;
    }
    switch (event.key) {
      case 'ArrowDown':
        if (this.results.length) {
          event.preventDefault();
          this.move(1);
        }
        break;
      case 'ArrowUp':
        if (this.results.length && this.isOpen()) {
          event.preventDefault();
          this.move(-1);
        }
        break;
      case 'Enter':
        // With no active suggestion, Enter submits the form as usual.
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.go(this.active, event.ctrlKey || event.metaKey);
        }
        break;
      case 'Escape':
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        }
        break;
      default:
        break;
    }
  };

  function initSuggest() {
    if (!window.fetch || !window.URL) {
      return;
    }
    var inputs = document.querySelectorAll('input[data-suggest-url]');
    Array.prototype.forEach.call(inputs, function (input) {
      if (document.getElementById(input.getAttribute('aria-controls'))) {
        new Suggest(input);
      }
    });
  }

  initSuggest();
})();
