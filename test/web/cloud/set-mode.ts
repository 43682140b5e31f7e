// First import of cloud-mode.ts: sets the mode before test/support/web-server.ts reads it at load.
process.env.WEB_TEST_SERVER = 'cloud-local';
