/* Resource map: a tiny slippy-map of organizations drawn from the list below it (no library).
   Tiles come from MAP_TILE_URL ({z}/{x}/{y}); the list stays the source and the fallback. */
(function () {
  "use strict";
  var box = document.getElementById("rm-geo");
  if (!box) { return; }
  var TILE = 256, template = box.getAttribute("data-tile-url");
  var items = Array.prototype.slice.call(document.querySelectorAll(".rm-org-list [data-lat]"));
  if (!template || !items.length) { return; }

  function project(lat, lon, zoom) {  // Web Mercator, in pixels at this zoom
    var scale = TILE * Math.pow(2, zoom), rad = lat * Math.PI / 180;
    return { x: (lon + 180) / 360 * scale,
             y: (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * scale };
  }
  var points = items.map(function (li) {
    return { lat: parseFloat(li.getAttribute("data-lat")), lon: parseFloat(li.getAttribute("data-lon")),
             name: li.getAttribute("data-name"), url: li.getAttribute("data-url") };
  });
  box.hidden = false;
  var width = box.clientWidth || 600, height = box.clientHeight || 400, zoom = 16;
  // The largest zoom at which every organization fits, with a margin.
  for (; zoom > 1; zoom--) {
    var a = project(Math.max.apply(null, points.map(function (p) { return p.lat; })), Math.min.apply(null, points.map(function (p) { return p.lon; })), zoom);
    var b = project(Math.min.apply(null, points.map(function (p) { return p.lat; })), Math.max.apply(null, points.map(function (p) { return p.lon; })), zoom);
    if (b.x - a.x < width - 60 && b.y - a.y < height - 60) { break; }
  }
  var tl = project(Math.max.apply(null, points.map(function (p) { return p.lat; })), Math.min.apply(null, points.map(function (p) { return p.lon; })), zoom);
  var br = project(Math.min.apply(null, points.map(function (p) { return p.lat; })), Math.max.apply(null, points.map(function (p) { return p.lon; })), zoom);
  var origin = { x: (tl.x + br.x) / 2 - width / 2, y: (tl.y + br.y) / 2 - height / 2 };

  var loaded = 0, failed = 0, total = 0, max = Math.pow(2, zoom);
  function giveUp() {
    box.hidden = true;
    var note = document.getElementById("rm-geo-fallback");
    if (note) { note.textContent = box.getAttribute("data-failed-text"); }
  }
  for (var tx = Math.floor(origin.x / TILE); tx * TILE < origin.x + width; tx++) {
    for (var ty = Math.floor(origin.y / TILE); ty * TILE < origin.y + height; ty++) {
      if (ty < 0 || ty >= max) { continue; }
      var img = document.createElement("img");
      img.className = "rm-tile";
      img.alt = "";
      img.style.left = (tx * TILE - origin.x) + "px";
      img.style.top = (ty * TILE - origin.y) + "px";
      img.addEventListener("load", function () { loaded++; });
      img.addEventListener("error", function () { failed++; if (failed === total && !loaded) { giveUp(); } });
      total++;
      img.src = template.replace("{z}", zoom).replace("{x}", ((tx % max) + max) % max).replace("{y}", ty)
        .replace("{s}", "a");
      box.appendChild(img);
    }
  }
  // No tile at all within a few seconds (blocked, offline): fall back to the list.
  window.setTimeout(function () { if (!loaded) { giveUp(); } }, 8000);
  points.forEach(function (p) {
    var xy = project(p.lat, p.lon, zoom), link = document.createElement("a");
    link.className = "rm-marker";
    link.href = p.url;
    link.title = p.name;
    link.setAttribute("aria-label", p.name);
    link.style.left = (xy.x - origin.x) + "px";
    link.style.top = (xy.y - origin.y) + "px";
    box.appendChild(link);
  });
})();
