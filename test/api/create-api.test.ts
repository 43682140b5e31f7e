import { runApiBehaviour } from '../support/api-behaviour.js';
import { directTransport } from '../support/api-transports.js';

runApiBehaviour('core', async (api) => directTransport(api));
