// The admin console's only script, a progressive enhancement: a copy button beside a value shown once (a new client
// secret). Without JavaScript the button stays hidden and the value can be selected and copied by hand.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var target = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  if (!target || !navigator.clipboard) {
    return;
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(target.textContent.trim()).then(
      function () { if (status) { status.textContent = "Copied to the clipboard."; } },
      function () { if (status) { status.textContent = "The browser refused to copy: select the text and copy it."; } });
  });
});
