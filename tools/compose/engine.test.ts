/** engine.sh's one line, read: an engine's address (and the dockerd this run started), or why none runs and how to enable one. */
import test from 'ava';
import { ENABLE_ENGINE, parseEngineLine } from './engine.js';

test('an engine that answers: its DOCKER_HOST, and the pid only when engine.sh started it', (t) => {
  t.deepEqual(parseEngineLine('DOCKER_HOST=unix:///var/cache/exoarmur/docker/run/docker.sock STARTED_PID=4242\n'), {
    ok: true,
    host: 'unix:///var/cache/exoarmur/docker/run/docker.sock',
    startedPid: 4242,
  });
  t.deepEqual(parseEngineLine('DOCKER_HOST=unix:///var/run/docker.sock'), { ok: true, host: 'unix:///var/run/docker.sock', startedPid: null });
});

test('no engine: the reason, and the command that enables one', (t) => {
  t.deepEqual(
    parseEngineLine(
      'no Docker engine answers and only root can start one; as root: make deps (apt-get install docker.io docker-compose debootstrap), then make reality starts dockerd itself',
    ),
    {
      ok: false,
      reason: 'no Docker engine answers and only root can start one',
      enable: 'as root: make deps (apt-get install docker.io docker-compose debootstrap), then make reality starts dockerd itself',
    },
  );
  t.deepEqual(parseEngineLine(''), { ok: false, reason: 'engine.sh said nothing', enable: ENABLE_ENGINE });
});
