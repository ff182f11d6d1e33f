// Small progressive enhancements; every form works without this file.
// The organisation fields only matter when the person registers as 企事业单位.
document.addEventListener("DOMContentLoaded", () => {
  const orgFields = document.querySelector(".org-fields");
  if (!orgFields) return;
  const sync = () => {
    const chosen = document.querySelector('input[name="role"]:checked');
    orgFields.hidden = !chosen || chosen.value !== "org";
  };
  document.querySelectorAll('input[name="role"]').forEach((radio) => radio.addEventListener("change", sync));
  sync();
});
