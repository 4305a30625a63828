// Loaded after require.js and before the widget manager (embed-amd.js); see _config.yml.
(function () {
  "use strict";
  // This file sits in _vendor/, beside html-manager/ which holds the manager and its fonts.
  var vendor = document.currentScript.src.replace(/[^/]*$/, "");
  // embed-amd.js finds its fonts (Font Awesome) next to the AMD module that loads them; without
  // this path require.js would place that module, and so the fonts, beside each page.
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": vendor + "html-manager" } });
  window.__jupyter_widgets_assets_path__ = vendor + "html-manager/";
  // The widget labels call MathJax 2's MathJax.Hub.Queue; the book loads MathJax 3.
  window.addEventListener("load", function () {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.typesetPromise && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (command) {
          var element = command && command[2];
          mathjax.typesetPromise(element ? [element] : undefined).catch(function (error) {
            console.warn("MathJax could not typeset a widget label", error);
          });
        },
      };
    }
  });
})();
