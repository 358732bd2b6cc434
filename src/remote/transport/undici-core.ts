/**
 * @module The two undici files a registry client needs, imported by path: its keep-alive
 * `Agent` and the `request` API. Loaded lazily by `dispatcher.ts` (never at startup). Static
 * imports, so the CLI bundle carries just these files and what they require instead of undici's
 * entry point (fetch, WebSocket, caches, mocks).
 */
import Agent from 'undici/lib/dispatcher/agent.js';
import request from 'undici/lib/api/api-request.js';

export { Agent, request };
