// Live catalog: results follow the search box and the filters without a full page load.
// The page works without this file: the form is a plain GET and the URL is the state.
(function () {
  "use strict";
  const form = document.getElementById("catalog-form");
  const body = document.getElementById("catalog-body");
  if (!form || !body || !window.fetch) return;
  let timer = null;
  let inflight = null;

  function paramsFromForm() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim() !== "") params.append(key, value);
    }
    return params;
  }

  async function load(params, push) {
    const query = params.toString();
    const url = "/models/catalog" + (query ? "?" + query : "");
    if (inflight) inflight.abort();
    inflight = new AbortController();
    form.classList.add("busy");
    try {
      const fragment = new URLSearchParams(params);
      fragment.set("fragment", "1");
      const response = await fetch("/models/catalog?" + fragment.toString(), { signal: inflight.signal, headers: { Accept: "text/html" } });
      const html = await response.text();
      const active = document.activeElement && document.activeElement.id;
      const toggle = document.getElementById("filter-toggle");
      const open = toggle && toggle.checked;
      body.innerHTML = html;
      const again = document.getElementById("filter-toggle");
      if (again && open) again.checked = true;
      if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
      if (active && body.contains(document.getElementById(active)) === false) {
        // focus stays in the search box, which is outside the swapped region
      } else if (active && document.getElementById(active)) {
        document.getElementById(active).focus();
      }
    } catch (error) {
      if (error.name !== "AbortError") window.location.href = url;
    } finally {
      form.classList.remove("busy");
    }
  }

  // Fields that belong to another form (the compare ticks, the save-search name) sit inside this
  // one on the page; changing them must not reload the results, which would clear them.
  form.addEventListener("input", function (event) {
    if (event.target.form !== form) return;
    if (event.target.name !== "q" && event.target.type !== "text") return;
    clearTimeout(timer);
    timer = setTimeout(function () { load(paramsFromForm(), false); }, 180);
  });
  form.addEventListener("change", function (event) {
    // Unnamed fields (the phone's filter toggle) are not part of the search.
    if (event.target.form !== form || !event.target.name) return;
    if (event.target.name === "q") return;
    if (event.target.type === "text") return;
    load(paramsFromForm(), true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(paramsFromForm(), true);
  });
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[data-live]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const params = new URL(link.href, window.location.href).searchParams;
    const q = document.getElementById("q");
    if (q) q.value = params.get("q") || "";
    load(params, true);
  });
  window.addEventListener("popstate", function () {
    const params = new URLSearchParams(window.location.search);
    const q = document.getElementById("q");
    if (q) q.value = params.get("q") || "";
    load(params, false);
  });
})();
