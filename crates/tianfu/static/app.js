// Small progressive enhancements; every form works without this file.

// The CSRF token the server put in the page's head (every form already carries it as a hidden
// field); scripts that change something send it in the X-CSRF-Token header.
const csrfToken = () => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
};
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") event.detail.headers["X-CSRF-Token"] = csrfToken();
});

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

// 科普 writing: a chosen video, audio or image file is uploaded at once (the session cookie
// signs the request) and its id is put in the form's hidden field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[type=file][data-upload-to]").forEach((picker) => {
    const field = picker.dataset.uploadTo;
    const hidden = picker.form.querySelector(`input[name="${field}"]`);
    const status = picker.form.querySelector(`[data-upload-status="${field}"]`);
    picker.addEventListener("change", async () => {
      const file = picker.files[0];
      if (!file) return;
      status.textContent = "正在上传…";
      const response = await fetch("/api/v1/kepu/media", { method: "POST", body: file, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
      const reply = await response.json().catch(() => ({}));
      if (response.ok) {
        hidden.value = reply.id;
        status.textContent = `已上传（${Math.round(reply.bytes / 1024)} KB）`;
      } else {
        hidden.value = "";
        status.textContent = (reply.error && reply.error.message) || "上传失败";
      }
    });
  });
});

// 科普员: a copy button beside each share link (shown only where the script runs), and photos
// for an activity report uploaded one by one, their ids collected in the form's hidden field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const field = button.parentElement.querySelector("[data-share-url]");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (_) {
        field.select();
        document.execCommand("copy");
      }
      button.textContent = "已复制";
    });
  });
  document.querySelectorAll("input[type=file][data-upload-many]").forEach((picker) => {
    const name = picker.dataset.uploadMany;
    const hidden = picker.form.querySelector(`input[name="${name}"]`);
    const status = picker.form.querySelector(`[data-upload-status="${name}"]`);
    picker.addEventListener("change", async () => {
      const ids = hidden.value.split(",").filter((id) => id);
      for (const file of picker.files) {
        status.textContent = `正在上传 ${file.name}…`;
        const response = await fetch("/api/v1/kepu/media", { method: "POST", body: file, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
        const reply = await response.json().catch(() => ({}));
        if (!response.ok) {
          status.textContent = (reply.error && reply.error.message) || "上传失败";
          return;
        }
        if (!ids.includes(String(reply.id))) ids.push(String(reply.id));
      }
      hidden.value = ids.join(",");
      status.textContent = `已上传 ${ids.length} 张照片`;
    });
  });
});

// Behaviour that used to sit in on* attributes, which the Content-Security-Policy
// (platform/headers.rs) refuses: a select that submits its form when changed, a form that asks
// before it is sent, a print button.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) window.print();
});

// 获取验证码: asks for a code without leaving the page, then counts down the minute before another
// may be asked for. Without JavaScript the button submits its form to /phone-codes instead.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-send-code]").forEach((button) => {
    const label = button.textContent;
    const status = button.form.querySelector("[data-code-status]");
    const say = (text) => { if (status) status.textContent = text; };
    const countDown = (seconds) => {
      button.disabled = true;
      const tick = () => {
        if (seconds <= 0) { button.disabled = false; button.textContent = label; return; }
        button.textContent = `${seconds}秒后可重新获取`;
        seconds -= 1;
        setTimeout(tick, 1000);
      };
      tick();
    };
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      const phone = button.form.querySelector('input[name="phone"]').value.trim();
      try {
        const response = await fetch("/api/v1/auth/phone-codes", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
          body: JSON.stringify({ phone, purpose: button.dataset.purpose }),
        });
        const reply = await response.json();
        if (response.ok) {
          say(reply.message);
          countDown(60);
        } else {
          const fields = (reply.error && reply.error.fields) || {};
          say(fields.phone || (reply.error && reply.error.message) || "验证码发送失败，请稍后再试");
          const wait = Number(response.headers.get("Retry-After"));
          if (response.status === 429 && wait > 0) countDown(wait);
        }
      } catch (_) {
        say("网络异常，请稍后再试");
      }
    });
  });
});

// 立即咨询: the sticky bar jumps to the inquiry form; put the cursor in its message box, also
// when a visitor comes back to #inquiry after signing in.
const focusInquiry = () => {
  if (window.location.hash !== "#inquiry") return;
  const box = document.getElementById("inquiry-message");
  if (box) box.focus({ preventScroll: false });
};
// After the load (and the browser's own jump to the #fragment, which would take the focus back).
window.addEventListener("load", () => setTimeout(focusInquiry, 0));
window.addEventListener("hashchange", focusInquiry);

// 离我最近: only when the person presses the button does the browser ask for their location;
// the list then reloads ordered by distance (the point goes in the address, rounded to about
// 100 m, and is never stored).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button[data-locate]");
  if (!button || !navigator.geolocation) return;
  const status = document.querySelector("[data-locate-status]");
  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    if (status) status.textContent = "正在获取您的位置…";
    navigator.geolocation.getCurrentPosition((position) => {
      const url = new URL(window.location.href);
      url.searchParams.set("lat", position.coords.latitude.toFixed(3));
      url.searchParams.set("lng", position.coords.longitude.toFixed(3));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    }, () => {
      button.disabled = false;
      if (status) status.textContent = "未能获取您的位置（可能未允许定位），仍按时间排序。";
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
});
