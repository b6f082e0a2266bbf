/*
 * Background job progress. A <div data-job-poll="<JSON URL>"
 * data-job-active="true"> is polled every two seconds; the answer (see
 * app.jobs.shown) fills its data-job-field elements: "state", "count",
 * "message", "duration", "error", "result" (lines) and "bar" (a <progress>,
 * indeterminate while the total is unknown). When the job ends, a box with
 * data-job-reload reloads the page, so the server shows the outcome and the
 * buttons that now apply. Without JavaScript the page shows the state it was
 * served with, and a Refresh link.
 *
 * Loaded with `defer` by the pages that show jobs.
 */
(function () {
  'use strict';

  var INTERVAL = 2000;

  function fill(box, data) {
    var fields = box.querySelectorAll('[data-job-field]');
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      var name = field.getAttribute('data-job-field');
      if (name === 'bar') {
        if (data.percent === null) {
          field.removeAttribute('value');
        } else {
          field.value = data.percent;
        }
        field.textContent = (data.percent || 0) + '%';
      } else if (name === 'result') {
        field.textContent = data.result.join('\n');
      } else if (Object.prototype.hasOwnProperty.call(data, name)) {
        field.textContent = data[name];
      }
    }
    box.setAttribute('data-job-status', data.status);
    box.setAttribute('data-job-active', data.active ? 'true' : 'false');
  }

  function poll(box) {
    fetch(box.getAttribute('data-job-poll'), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin'
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('status ' + response.status);
      }
      return response.json();
    }).then(function (data) {
      fill(box, data);
      if (data.active) {
        window.setTimeout(function () { poll(box); }, INTERVAL);
      } else if (box.hasAttribute('data-job-reload')) {
        window.location.reload();
      }
    }).catch(function () {
      window.setTimeout(function () { poll(box); }, INTERVAL * 3);
    });
  }

  var boxes = document.querySelectorAll('[data-job-poll][data-job-active="true"]');
  for (var i = 0; i < boxes.length; i += 1) {
    (function (box) {
      window.setTimeout(function () { poll(box); }, INTERVAL);
    }(boxes[i]));
  }
}());
