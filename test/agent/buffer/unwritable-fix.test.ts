import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NO_PERMISSION_FIX, NOT_A_DIRECTORY_FIX, READ_ONLY_FIX, ReadOnlyStorageError, unwritableFix } from '../../../agent/buffer/errors.js';

test('a permission problem gets the permission fix, not the SD-card remount advice', () => {
  assert.is(unwritableFix('no write permission (EACCES)'), NO_PERMISSION_FIX);
  assert.is(unwritableFix('no write permission (EPERM)'), NO_PERMISSION_FIX);
  assert.match(new ReadOnlyStorageError('/var/lib/sensorctl', 'no write permission (EACCES)').message, 'sudo -u sensorctl');
  assert.not.match(new ReadOnlyStorageError('/var/lib/sensorctl', 'no write permission (EACCES)').message, 'remount');
});

test('a read-only file system (or SQLite saying so) gets the SD-card fix', () => {
  assert.is(unwritableFix('read-only file system (EROFS)'), READ_ONLY_FIX);
  assert.is(unwritableFix('SQLite opened it read-only'), READ_ONLY_FIX);
  assert.match(new ReadOnlyStorageError('/var/lib/sensorctl', 'read-only file system (EROFS)').message, 'remount,rw');
});

test('a data dir that is a file (ENOTDIR) is told to name a directory, not to remount the card', () => {
  assert.is(unwritableFix('cannot write (ENOTDIR: not a directory, open \'/tmp/f/.probe\')'), NOT_A_DIRECTORY_FIX);
});

test.run();
