// The live stream (GET /v1/stream, Server-Sent Events) read with fetch() and
// a streaming body reader: EventSource cannot send the Authorization header.
// On any end or error it reconnects after a delay, sending Last-Event-ID so
// nothing is missed and nothing is seen twice.

export class LiveStream {
  // onEvent({id, type, data}) for each event; onState(true|false) when the
  // connection opens or drops; getToken() gives the bearer token.
  constructor({ getToken, onEvent, onState, reconnectDelayMs = 1000, maxReconnectDelayMs = 15000 }) {
    this.getToken = getToken;
    this.onEvent = onEvent;
    this.onState = onState ?? (() => {});
    this.reconnectDelayMs = reconnectDelayMs;
    this.maxReconnectDelayMs = maxReconnectDelayMs;
    this.lastEventId = null;
    this.controller = null;
    this.stopped = true;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
  }

  async loop() {
    let delay = this.reconnectDelayMs;
    while (!this.stopped) {
      try {
        await this.connect(() => { delay = this.reconnectDelayMs; });
      } catch (error) {
        if (error?.status === 401) { this.stopped = true; break; }
      }
      this.onState(false);
      if (this.stopped) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.maxReconnectDelayMs);
    }
  }

  async connect(onOpen) {
    this.controller = new AbortController();
    // Without a token the session cookie goes with the request.
    const headers = { Accept: 'text/event-stream' };
    if (this.getToken()) headers.Authorization = `Bearer ${this.getToken()}`;
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    const response = await fetch('/v1/stream', { headers, signal: this.controller.signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw Object.assign(new Error('stream refused'), { status: response.status });
    onOpen();
    this.onState(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      // Events end with a blank line (\n\n; the server sends \n line ends).
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        this.dispatch(block);
      }
    }
  }

  // One SSE block: "id:", "event:", "data:" lines; ":" lines are comments.
  dispatch(block) {
    let id = null;
    let type = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (id !== null) this.lastEventId = id;
    if (data.length === 0) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      parsed = data.join('\n');
    }
    this.onEvent({ id, type, data: parsed });
  }
}
