/**
 * Imported first by the files in this folder: the page tests of test/web/ then run against the cloud
 * on one machine (`WEB_TEST_SERVER=cloud-local`, test/support/web-server.ts) instead of the Pi's API.
 */
process.env.WEB_TEST_SERVER = 'cloud-local';
