"""A FastAPI app that streams answers in sse-wasm's native vocabulary (docs/protocol.md).

The README's examples run against it (tests/node/readme.test.js). Request bodies are
pydantic models, so a body of the wrong shape gets FastAPI's 422, as in a real app.

  POST /api/chat          {"prompt": str}
  POST /api/conversation  {"messages": [{"role": "user" | "assistant", "content": str}], "model"?: str}

Each answer is `text_delta` events ({"text": ...}), one per word, then `done`. When the
request has a Last-Event-ID header, the answer continues after that event.

Test control (not part of the examples):
  POST /_test/fault  {"path", "drop"?, "ids"?, "delay_ms"?, "wait_ms"?, "repeat"?, "tool"?}:
                     the next request to `path` drops its connection halfway (once),
                     sends `id:` lines, waits wait_ms before the first event and delay_ms
                     between events, repeats the answer, or starts with a weather tool
                     (input-available, then an output-error).
  GET  /_test/log    every request: method, path, content type, accept, Last-Event-ID,
                     raw body, response status, the answer text sent, closed_early.
  POST /_test/reset  clears the log and the faults.
Run: /usr/bin/python3 -m uvicorn fastapi_app:app --app-dir tests/servers --port 8000
"""
import asyncio
import json
from typing import List, Literal, Optional

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel


class Prompt(BaseModel):
    prompt: str


class Message(BaseModel):
    role: Literal['user', 'assistant']
    content: str


class Conversation(BaseModel):
    messages: List[Message]
    model: Optional[str] = None


class Fault(BaseModel):
    path: str
    drop: bool = False
    ids: bool = False
    delay_ms: int = 5
    wait_ms: int = 0
    repeat: int = 1
    tool: bool = False


class Dropped(Exception):
    """Raised mid-answer: uvicorn closes the connection without ending the body."""


LOG: list = []
FAULTS: dict = {}
TAKES: dict = {}  # request body -> fresh requests with it (a regenerated answer differs)


class RecordRequests:
    """ASGI middleware: logs each request with its raw body and response status."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope['type'] != 'http' or scope['path'].startswith('/_test/'):
            return await self.app(scope, receive, send)
        headers = {k.decode('latin-1'): v.decode('latin-1') for k, v in scope['headers']}
        entry = {
            'method': scope['method'], 'path': scope['path'],
            'contentType': headers.get('content-type'), 'accept': headers.get('accept'),
            'lastEventId': headers.get('last-event-id'), 'headers': headers,
            'body': '', 'status': None, 'answer': None, 'closedEarly': False,
        }
        LOG.append(entry)
        scope.setdefault('state', {})['entry'] = entry

        async def receiving():
            message = await receive()
            if message['type'] == 'http.request':
                entry['body'] += message.get('body', b'').decode('utf-8', 'replace')
            return message

        async def sending(message):
            if message['type'] == 'http.response.start':
                entry['status'] = message['status']
            await send(message)

        await self.app(scope, receiving, sending)


app = FastAPI()
app.add_middleware(RecordRequests)


def frame(event: str, data, event_id: Optional[int]) -> str:
    head = f'id: {event_id}\n' if event_id is not None else ''
    return f'{head}event: {event}\ndata: {json.dumps(data)}\n\n'


def answer(request: Request, text: str) -> StreamingResponse:
    fault = FAULTS.pop(request.url.path, None) or Fault(path=request.url.path)
    entry = request.state.entry
    words = [w + ' ' for w in (' '.join([text] * fault.repeat)).split(' ')]
    words[-1] = words[-1].rstrip()
    events = []
    if fault.tool:
        events.append(('tool_start', {'id': 'call_1', 'name': 'weather', 'input': {'city': 'Atlantis'}}))
        events.append(('wait', 400))
        events.append(('tool_result', {'id': 'call_1', 'error': 'No weather station in Atlantis'}))
    events += [('text_delta', {'text': w}) for w in words]
    events.append(('done', {'finish_reason': 'stop'}))
    last_id = request.headers.get('last-event-id')
    start = int(last_id) if last_id and last_id.isdigit() else 0
    ids = fault.ids or last_id is not None
    entry['answer'] = ''.join(w for kind, data in events[start:] if kind == 'text_delta' for w in [data['text']])

    async def body():
        finished = False
        try:
            await asyncio.sleep(fault.wait_ms / 1000)
            for index in range(start, len(events)):
                kind, data = events[index]
                if kind == 'wait':
                    await asyncio.sleep(data / 1000)
                    continue
                if fault.drop and index == len(events) // 2:
                    yield frame(kind, data, index + 1 if ids else None)[:12]  # half an event
                    await asyncio.sleep(0.05)
                    raise Dropped(f'dropped {request.url.path} at event {index + 1}')
                yield frame(kind, data, index + 1 if ids else None)
                await asyncio.sleep(fault.delay_ms / 1000)
            finished = True
        finally:
            entry['closedEarly'] = not finished and not fault.drop

    return StreamingResponse(body(), media_type='text/event-stream', headers={'cache-control': 'no-cache'})


@app.post('/api/chat')
async def chat(prompt: Prompt, request: Request):
    return answer(request, f'FastAPI got "{prompt.prompt}" and streams this answer word by word.')


@app.post('/api/conversation')
async def conversation(body: Conversation, request: Request):
    users = [m.content for m in body.messages if m.role == 'user']
    last = users[-1] if users else ''
    model = f' with {body.model}' if body.model else ''
    key = request.state.entry['body']
    if request.headers.get('last-event-id') is None:
        TAKES[key] = TAKES.get(key, 0) + 1
    return answer(request, f'Answer {len(users)}{model}, take {TAKES.get(key, 1)}: you said "{last}".')


@app.post('/_test/fault')
async def set_fault(fault: Fault):
    FAULTS[fault.path] = fault
    return {'ok': True}


@app.get('/_test/log')
async def get_log():
    return LOG


@app.post('/_test/reset')
async def reset():
    LOG.clear()
    FAULTS.clear()
    TAKES.clear()
    return {'ok': True}
