// One inspection's page (/contracts/runs/{id}). A file because the Content-Security-Policy forbids
// inline scripts and styles: boxes come as `data-box="left top width height"` (percent of the page)
// and are placed here. The severity filter hides findings and their boxes; a click on a finding, or
// on a party, field or clause of the tables under them, shows its page and highlights its box (the
// boxes of parties, fields and clauses are drawn only while highlighted). (The upload form on /contracts is cleared by forms.js.)
(function () {
  "use strict";

  document.querySelectorAll(".contract-sheet[data-size]").forEach(function (sheet) {
    var size = sheet.getAttribute("data-size").split(" ").map(Number);
    if (size[0] > 0 && size[1] > 0) sheet.style.aspectRatio = size[0] + " / " + size[1];
  });

  document.querySelectorAll("[data-box]").forEach(function (box) {
    var v = box.getAttribute("data-box").split(" ");
    box.style.left = v[0] + "%";
    box.style.top = v[1] + "%";
    box.style.width = v[2] + "%";
    box.style.height = v[3] + "%";
  });

  var filter = document.getElementById("contracts-filter");
  var shown = document.getElementById("contracts-shown");

  function applyFilter() {
    var wanted = {};
    filter.querySelectorAll('input[name="severity"]').forEach(function (input) {
      wanted[input.value] = input.checked;
    });
    var findings = document.querySelectorAll(".contract-finding");
    var visible = 0;
    findings.forEach(function (item) {
      var keep = wanted[item.getAttribute("data-severity")] !== false;
      item.hidden = !keep;
      if (keep) visible += 1;
    });
    document.querySelectorAll(".contract-box").forEach(function (box) {
      box.hidden = wanted[box.getAttribute("data-severity")] === false;
    });
    if (shown) {
      shown.textContent = shown
        .getAttribute("data-template")
        .replace("{shown}", String(visible))
        .replace("{total}", String(findings.length));
    }
  }

  if (filter) {
    filter.addEventListener("change", applyFilter);
    filter.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    applyFilter();
  }

  function show(item) {
    document.querySelectorAll(".is-active").forEach(function (el) {
      el.classList.remove("is-active");
    });
    item.classList.add("is-active");
    var target = item.getAttribute("data-target");
    var page = item.getAttribute("data-page");
    var element = (target && document.getElementById(target)) || (page && document.getElementById(page));
    if (!element) return;
    element.classList.add("is-active");
    element.scrollIntoView({ block: "center", behavior: "auto" });
  }

  document.querySelectorAll(".contract-finding, .contract-evidence-row").forEach(function (item) {
    var button = item.querySelector("button");
    if (button) {
      button.addEventListener("click", function () {
        show(item);
      });
    }
  });

  document.querySelectorAll(".contract-box[data-finding]").forEach(function (box) {
    box.addEventListener("click", function () {
      var item = document.getElementById(box.getAttribute("data-finding"));
      if (item) {
        show(item);
        item.scrollIntoView({ block: "nearest" });
      }
    });
  });
})();
