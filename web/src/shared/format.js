// Times and durations as people read them.

export function clockTime(iso, timeZone) {
  const options = { hour: '2-digit', minute: '2-digit' };
  if (timeZone) options.timeZone = timeZone;
  return new Date(iso).toLocaleTimeString([], options);
}

// "today 14:00", "tomorrow 09:00" or "Mon 24 Nov, 09:00", in the viewer's zone.
export function when(iso) {
  const d = new Date(iso);
  const today = new Date();
  const days = Math.round((startOfDay(d) - startOfDay(today)) / 86400000);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  return `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })} at ${time}`;
}

function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

// 75 -> "1:15", 3725 -> "1:02:05"
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

// 240 -> "about 4 minutes"
export function roughly(seconds) {
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}

export function secondsSince(iso, now = Date.now()) {
  return (now - new Date(iso).getTime()) / 1000;
}

// A DOM element: h('button', {class: 'x', onclick: f}, 'text', child…)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}
