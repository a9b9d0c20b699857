// Optional comforts; everything works without them: a copy button for the citation,
// and the arrow keys to turn pages in the viewer.
(function () {
  "use strict";
  var cite = document.getElementById("citation");
  if (cite && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = cite.dataset.copy;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(cite.value).then(function () { button.textContent = cite.dataset.copied; });
    });
    cite.insertAdjacentElement("afterend", button);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target !== document.body) {
      return;
    }
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector(".viewer a[rel=" + rel + "]");
    if (link) { window.location.href = link.href; }
  });
})();
