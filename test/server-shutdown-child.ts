/**
 * Run as a child process by server.test.ts: starts a store server with the simulated feed (a small fake simulator),
 * a device client and a WebSocket client, waits for traffic, stops the server and lets the process end by itself.
 * If anything is left open (a socket, timer, worker), the process does not exit and the parent test fails.
 */
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { gateCommandTopic } from '../src/protocol/topics.ts';
import { STORE_ID, waitFor } from './server-fixtures.ts';
import { asStaff, startTestServer } from './server-harness.ts';

const fakeSim = new URL('./server-fake-sim.ts', import.meta.url).href;
const running = await startTestServer(
  { sim: { enabled: true, shoppersPerHour: 2000, chunkMinutes: 0.1, seed: 3 } },
  fakeSim,
);
const device = await mqtt.connectAsync(running.info.mqttUrl, { reconnectPeriod: 0 });
let commands = 0;
device.on('message', () => {
  commands += 1;
});
await device.subscribeAsync(gateCommandTopic(STORE_ID, '+'));
const ws = new WebSocket(`${running.info.httpUrl.replace('http', 'ws')}/ws/events`, asStaff);
let streamed = 0;
ws.on('message', () => {
  streamed += 1;
});
let wsClosed = false;
ws.on('close', () => {
  wsClosed = true;
});
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

// The fake simulator's shoppers scan at the door; their gate commands come back over MQTT.
await waitFor(() => commands >= 1 && streamed >= 2, 8_000, 'simulated traffic');
await running.close();
await device.endAsync();
await waitFor(() => wsClosed, 2_000, 'the server to close the WebSocket');
console.log(JSON.stringify({ stopped: true, commands, streamed }));
