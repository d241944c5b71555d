// Where Leaflet's default marker images are. In the map's frame Leaflet falls back to guessing the folder
// from leaflet.css's address, and drops a slash ("leaflet-1.9.3marker-icon.png"): the icon answered 404.
// Icon.Default's documented imagePath option, taken relative to this file, so it holds under any base URL.
L.Icon.Default.mergeOptions({imagePath: new URL("../leaflet-1.9.3/images/", document.currentScript.src).href});
