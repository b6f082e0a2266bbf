/*
 * Colour theme: light, dark, or auto (follow the system setting).
 *
 * Loaded synchronously in <head>, before the stylesheets, so the page is
 * painted in the right theme from the start. The choice is kept in
 * localStorage; "auto" is the absence of a choice. Also marks <html> with
 * the class "js", which the stylesheet uses to keep the phone menu open
 * when scripts do not run.
 */
(function () {
  'use strict';

  var KEY = 'marquee-theme';
  var CHOICES = ['light', 'dark', 'auto'];
  var root = document.documentElement;
  var systemDark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  root.classList.add('js');

  function storedChoice() {
    var value = null;
    try {
      value = window.localStorage.getItem(KEY);
    } catch (error) {
      // Storage can be switched off; the page then simply follows the system.
    }
    return value === 'light' || value === 'dark' ? value : 'auto';
  }

  function store(choice) {
    try {
      if (choice === 'auto') {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, choice);
      }
    } catch (error) {
      // Not stored: the choice lasts for this page only.
    }
  }

  function resolve(choice) {
    if (choice !== 'auto') {
      return choice;
    }
    return systemDark && systemDark.matches ? 'dark' : 'light';
  }

  function apply(choice) {
    root.setAttribute('data-bs-theme', resolve(choice));
  }

  function showChoice(choice) {
    var switcher = document.getElementById('theme-switch');
    if (!switcher) {
      return;
    }
    switcher.setAttribute('data-theme-choice', choice);
    var toggle = document.getElementById('theme-toggle');
    if (toggle) {
      // The button's translated labels, one per choice, are on the switcher.
      var label = switcher.getAttribute('data-label-' + choice);
      toggle.setAttribute('aria-label', label || 'Theme (' + choice + ')');
    }
    var buttons = switcher.querySelectorAll('[data-theme-value]');
    for (var i = 0; i < buttons.length; i += 1) {
      var selected = buttons[i].getAttribute('data-theme-value') === choice;
      buttons[i].setAttribute('aria-pressed', selected ? 'true' : 'false');
      buttons[i].classList.toggle('active', selected);
    }
  }

  function choose(choice) {
    if (CHOICES.indexOf(choice) === -1) {
      return;
    }
    store(choice);
    apply(choice);
    showChoice(choice);
  }

  apply(storedChoice());

  if (systemDark) {
    var followSystem = function () {
      if (storedChoice() === 'auto') {
        apply('auto');
      }
    };
    if (systemDark.addEventListener) {
      systemDark.addEventListener('change', followSystem);
    } else if (systemDark.addListener) {
      systemDark.addListener(followSystem);
    }
  }

  // Another tab changed the theme: follow it.
  window.addEventListener('storage', function (event) {
    if (event.key === KEY || event.key === null) {
      apply(storedChoice());
      showChoice(storedChoice());
    }
  });

  document.addEventListener('DOMContentLoaded', function () {
    var switcher = document.getElementById('theme-switch');
    if (!switcher) {
      return;
    }
    showChoice(storedChoice());
    switcher.hidden = false;
    switcher.addEventListener('click', function (event) {
      var button = event.target.closest('[data-theme-value]');
      if (button) {
        choose(button.getAttribute('data-theme-value'));
      }
    });
  });
})();
