/*
 * Marquee's enhancements. Every page works without them.
 *
 * - Image fallback: an <img data-fallback="…"> that fails to load shows its
 *   fallback (the designed placeholder: title, year and director, or a
 *   person's name and department) instead of a broken icon.
 *
 * The type-ahead under the search box is typeahead.js; the watchlist and
 * diary's, library.js.
 *
 * Loaded with `defer`. The Content-Security-Policy forbids inline script and
 * style, so everything here goes through the DOM API.
 */
(function () {
  'use strict';

  /* Image fallback ------------------------------------------------------- */

  function showFallback(img) {
    var fallback = img.getAttribute('data-fallback');
    // Once on the fallback, stop: a failing fallback must not loop.
    if (fallback && img.getAttribute('src') !== fallback) {
      img.removeAttribute('srcset');
      img.setAttribute('src', fallback);
    }
  }

  // `error` does not bubble: listen in the capture phase to see every image.
  document.addEventListener(
    'error',
    function (event) {
      var target = event.target;
      if (target instanceof HTMLImageElement && target.hasAttribute('data-fallback')) {
        showFallback(target);
      }
    },
    true
  );

  // Images that failed before this script ran.
  function fixFailedImages() {
    var images = document.querySelectorAll('img[data-fallback]');
    for (var i = 0; i < images.length; i += 1) {
      if (images[i].complete && images[i].naturalWidth === 0) {
        showFallback(images[i]);
      }
    }
  }

  fixFailedImages();
})();
