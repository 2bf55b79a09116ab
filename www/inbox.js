// The live inbox of `zentitle-webhooks listen`: the deliveries it received, newest first, each
// as it arrives (server-sent events), with the verdict; selecting one shows the envelope, the
// typed payload, the headers and the diagnosis, and can re-send it to the app. Served as a
// plain page (not by listen), the inbox stays hidden.

const $ = (id) => document.getElementById(id);

/** The most deliveries the page keeps (listen's inbox keeps as many): older ones are dropped. */
const INBOX_LIMIT = 100;

/** Characters that would be interpreted rather than shown (controls, bidirectional overrides). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INTERPRETED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What an unverified body claims, with such characters shown as `\uXXXX`. */
const shown = (value) => String(value).replace(INTERPRETED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * Starts the inbox when the page was opened from listen's URL (with its token): resolves to
 * the key listen verifies with, or `undefined` when the page is not served by listen.
 * @param {{ table(title: string, rows: [string, unknown][]): HTMLElement, diagnosis(verdict: object): HTMLElement, open(body: string, signature: string): void }} ui
 */
export async function startInbox(ui) {
  const token = new URLSearchParams(location.search).get("token");
  if (!token) return undefined;
  const api = (path) => `/_zw/${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
  const response = await fetch(api("inbox")).catch(() => undefined);
  if (!response?.ok) return undefined;
  const { key, forwardTo, deliveries } = await response.json();
  const items = new Map();
  $("inbox").hidden = false;
  $("inbox-target").textContent = forwardTo ? `Forwarding to ${forwardTo}.` : "Not forwarding (start listen with --forward-to to pass deliveries to your app).";

  const select = (record) => {
    for (const li of $("inbox-list").children) li.classList.toggle("selected", li.dataset.id === record.id);
    $("inbox-detail").replaceChildren(...detail(record, ui, forwardTo, api));
  };
  const add = (record) => {
    items.set(record.id, record);
    const li = document.createElement("li");
    li.dataset.testid = "inbox-item";
    li.dataset.id = record.id;
    li.dataset.verdict = record.verdict.ok ? "verified" : record.verdict.code;
    li.className = record.verdict.ok ? "ok" : "refused";
    const claim = record.verdict.ok ? record.verdict : claimed(record);
    li.append(
      text("time", new Date(record.time).toLocaleTimeString()),
      text("code", typeof claim.eventCode === "string" ? shown(claim.eventCode) : "(no event code)"),
      text("id", typeof claim.eventId === "string" ? shown(claim.eventId) : ""),
      text("verdict", record.verdict.ok ? "verified" : record.verdict.code),
      text("status", String(record.status)),
    );
    li.tabIndex = 0;
    li.addEventListener("click", () => select(items.get(record.id)));
    li.addEventListener("keydown", (e) => e.key === "Enter" && select(items.get(record.id)));
    $("inbox-list").prepend(li);
    $("inbox-empty").hidden = true;
    // Bounded, as listen's own inbox: the oldest delivery goes when one more arrives.
    for (const [id] of items) {
      if (items.size <= INBOX_LIMIT) break;
      items.delete(id);
      for (const old of $("inbox-list").querySelectorAll(`li[data-id="${CSS.escape(id)}"]`)) old.remove();
    }
  };
  for (const record of deliveries) add(record);
  const events = new EventSource(api("events"));
  events.addEventListener("delivery", (e) => add(JSON.parse(e.data)));
  events.addEventListener("resent", (e) => {
    const result = JSON.parse(e.data);
    const status = $("resend-status");
    if (status?.dataset.id === result.id) status.textContent = resentText(result);
  });
  return key;
}

function text(kind, value) {
  const span = document.createElement("span");
  span.className = kind;
  span.textContent = value;
  return span;
}

const resentText = (r) => (r.error ? `Re-send failed: ${r.error}` : `Re-sent: your app answered ${r.status}${r.outcome ? ` (${r.outcome})` : ""}.`);

/** What the body claims (unverified, for a refused delivery). */
function claimed(record) {
  try {
    const parsed = JSON.parse(bodyText(record));
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

function bodyText(record) {
  const bytes = Uint8Array.from(atob(record.bodyBase64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function detail(record, ui, forwardTo, api) {
  const { verdict } = record;
  const parts = [];
  const head = document.createElement("h3");
  head.textContent = `Delivery ${record.id}: ${record.method} ${record.path} at ${record.time}, answered ${record.status}${record.forward?.status ? ` (by your app)` : ""}`;
  parts.push(head, ui.diagnosis(verdict));
  if (verdict.ok) {
    const { event } = verdict;
    parts.push(
      ui.table("Envelope", [
        ["eventId", event.eventId],
        ["eventDate", event.eventDate],
        ["eventCode", event.eventCode],
        ["resourceId", event.resourceId],
        ["callAttempt", event.callAttempt],
      ]),
    );
    const payload = event.payload && typeof event.payload === "object" ? Object.entries(event.payload) : [["(payload)", event.payload ?? null]];
    parts.push(ui.table("Payload", payload.length ? payload : [["(empty)", "{}"]]));
  }
  parts.push(ui.table("Headers", Object.entries(record.headers)));
  const row = document.createElement("div");
  row.className = "row";
  const resend = document.createElement("button");
  resend.type = "button";
  resend.dataset.testid = "resend";
  resend.textContent = "Re-send to your app";
  resend.disabled = !forwardTo;
  resend.title = forwardTo ? `POST it again to ${forwardTo}, byte for byte` : "listen was started without --forward-to";
  const status = document.createElement("span");
  status.id = "resend-status";
  status.dataset.id = record.id;
  status.dataset.testid = "resend-status";
  resend.addEventListener("click", async () => {
    status.textContent = "Re-sending…";
    const answer = await fetch(api(`resend/${record.id}`), { method: "POST" }).then((r) => r.json());
    status.textContent = answer.error && answer.status === undefined && !answer.id ? answer.error : resentText(answer);
  });
  const open = document.createElement("button");
  open.type = "button";
  open.dataset.testid = "open-in-verifier";
  open.textContent = "Open in the verifier";
  open.addEventListener("click", () => ui.open(bodyText(record), record.headers["n-signature"] ?? ""));
  row.append(resend, open, status);
  parts.push(row);
  return parts;
}
