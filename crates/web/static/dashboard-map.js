// Draws the dashboard's located tickets on a Leaflet map. The markers come from the page as
// JSON; labels are set as text, never as HTML.
(function () {
  var box = document.getElementById('map');
  var data = document.getElementById('map-markers');
  if (!box || !data || typeof L === 'undefined') return;
  var markers = JSON.parse(data.textContent || '[]');
  var map = L.map(box);
  L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  var colours = { 'Diterima': '#2f6f9f', 'Diproses': '#e69f00', 'Dijawab': '#009e73' };
  var bounds = [];
  markers.forEach(function (m) {
    var popup = document.createElement('div');
    var link = document.createElement('a');
    link.href = '/staf/aduan/' + m.id;
    link.textContent = m.label;
    popup.appendChild(link);
    popup.appendChild(document.createElement('br'));
    popup.appendChild(document.createTextNode(m.status));
    L.circleMarker([m.lat, m.long], { radius: 6, color: colours[m.status] || '#666', weight: 2 })
      .bindPopup(popup)
      .addTo(map);
    bounds.push([m.lat, m.long]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  } else {
    map.setView([-2.5, 118], 5);
  }
  box.dataset.markers = String(markers.length);
})();
