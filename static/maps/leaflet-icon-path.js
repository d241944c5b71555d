// Where Leaflet's default marker images are: its own guess, made from leaflet.css's address when the
// stylesheet has not loaded yet, drops a slash ("leaflet-1.9.3marker-icon.png") and the icon answers 404.
// Icon.Default's documented imagePath option, taken relative to this file, so it holds under any base URL.
L.Icon.Default.mergeOptions({imagePath: new URL("../leaflet-1.9.3/images/", document.currentScript.src).href});
