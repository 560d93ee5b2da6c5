// Drag and drop on a collection's edit page, on top of the move buttons and position fields (which work
// without this file): dropping an item on another puts it at that item's position and saves, as the form does.
(function () {
  var list = document.querySelector("[data-reorder]");
  if (!list) { return; }
  var dragged = null;
  list.querySelectorAll(".collection-item").forEach(function (item) {
    item.draggable = true;
    item.classList.add("draggable");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.practice);
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("dragging");
      dragged = null;
    });
    item.addEventListener("dragover", function (event) {
      if (dragged && dragged !== item) { event.preventDefault(); }
    });
    item.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged || dragged === item) { return; }
      var form = dragged.querySelector("form.item-form");
      form.querySelector("input[name=position]").value = item.querySelector("input[name=position]").value;
      form.requestSubmit(form.querySelector("button[value=save]"));
    });
  });
}());
