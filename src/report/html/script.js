(function () {
  "use strict";
  // Hovering a cell or a step of a picture: its full text under the picture, its column lit.
  document.querySelectorAll("figure.trace").forEach(function (f) {
    var svg = f.querySelector("svg.trace");
    var out = f.querySelector("output.hover");
    var lit = svg.querySelector("rect.hl");
    var x0 = Number(svg.dataset.x0), cw = Number(svg.dataset.cw);
    svg.addEventListener("mouseover", function (e) {
      var g = e.target.closest("[data-col]");
      if (!g) return;
      var title = g.querySelector(":scope > title");
      out.textContent = title ? title.textContent : "";
      lit.setAttribute("x", String(x0 + cw * Number(g.dataset.col)));
      lit.style.visibility = "visible";
    });
    svg.addEventListener("mouseleave", function () {
      lit.style.visibility = "hidden";
    });
  });
  // Expanding: one button opens or closes every folded part; printing opens them all.
  var folded = Array.prototype.slice.call(document.querySelectorAll("details"));
  if (folded.length > 0) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "expand all";
    button.addEventListener("click", function () {
      var open = button.textContent === "expand all";
      folded.forEach(function (d) { d.open = open; });
      button.textContent = open ? "collapse all" : "expand all";
    });
    document.querySelector("header").prepend(button);
  }
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = folded.filter(function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
  });
  // Last: a page whose script threw before here has no such mark (tests/it/html.rs).
  document.body.setAttribute("data-script", "ran");
})();
