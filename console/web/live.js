// live — the node's event stream (GET /api/v1/events, Server-Sent Events): one EventSource
// while someone is signed in. The browser reconnects by itself and sends the last event's
// id back (Last-Event-ID), so nothing committed meanwhile is missed; the node tells only
// what the user's role is concerned with. Each event is handed to the listener as
// {event: 'inbox'|'case'|'reset'|'hello', data}.
let source = null;

export function startLive(listener) {
  stopLive();
  source = new EventSource('/api/v1/events');
  for (const event of ['inbox', 'case', 'reset', 'hello']) {
    source.addEventListener(event, (e) => {
      let data = {};
      try { data = JSON.parse(e.data || '{}'); } catch { /* an event without data */ }
      listener({ event, data });
    });
  }
}

export function stopLive() {
  if (source) source.close();
  source = null;
}
