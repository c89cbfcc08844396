// device — this browser's device id for 一机一账号 ([auth] device_binding): 32 random hex
// digits (crypto.getRandomValues), made on first use and kept in localStorage, sent with
// every login with a short label of the browser, so the node's administrator can approve
// this device for the account (设备登记).
const KEY = 'jiefen_device';

export function deviceId() {
  let id = localStorage.getItem(KEY);
  if (!/^[0-9a-f]{32}$/.test(id || '')) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(KEY, id);
  }
  return id;
}

// What the administrator sees of this device: the browser and its system, short.
export function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = (ua.match(/(Edg|Firefox|Chrome|Safari)\/[\d.]+/) || [ua.slice(0, 40)])[0];
  const os = (ua.match(/\(([^;)]+)/) || ['', ''])[1];
  return `浏览器 ${browser}${os ? `（${os}）` : ''}`.slice(0, 60);
}
