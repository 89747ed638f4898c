// "Copy questions": copies the text of the element a button names (data-copy) to the
// clipboard. Without JavaScript the button stays hidden and the text can be selected.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      if (status) status.textContent = "Copied.";
    } catch {
      source.select();
      if (status) status.textContent = "Select all and copy (Ctrl+C or ⌘C).";
    }
  });
});
