import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { metricOfHeader, normaliseUnit, seriesNameOf, splitHeader } from '../../../agent/import/header.js';

const header = suite('header units');

header('units in brackets and suffixes, in the spellings loggers use', () => {
  assert.equal(splitHeader('temperature (*C)'), { name: 'temperature', unitText: '*C', unit: 'C', isBracketed: true });
  assert.equal(splitHeader('Temp [°C]'), { name: 'Temp', unitText: '°C', unit: 'C', isBracketed: true });
  assert.equal(splitHeader('pressure (hPa)').unit, 'hPa');
  assert.equal(splitHeader('humidity (%RH)').unit, '%');
  assert.equal(splitHeader('wind_speed (km/h)'), { name: 'wind_speed', unitText: 'km/h', unit: 'km/h', isBracketed: true });
  assert.equal(splitHeader('wind_kmh'), { name: 'wind', unitText: 'kmh', unit: 'km/h' });
  assert.equal(splitHeader('field_b'), { name: 'field_b' }, 'only known unit suffixes are units');
  assert.is(normaliseUnit('ug/m3'), 'µg/m³');
  assert.is(normaliseUnit('furlongs'), undefined);
});

header('names, first words and units that name one quantity', () => {
  assert.is(metricOfHeader(splitHeader('Temperature')), 'tempC');
  assert.is(metricOfHeader(splitHeader('Temp, living room')), 'tempC');
  assert.is(metricOfHeader(splitHeader('living room (°C)')), 'tempC');
  assert.is(metricOfHeader(splitHeader('entry_id')), undefined);
  assert.is(metricOfHeader(splitHeader('field_c')), undefined, 'a suffix unit alone names no quantity');
  assert.is(metricOfHeader(splitHeader('uptime_ms')), undefined, 'ms is milliseconds here, not m/s');
  assert.is(metricOfHeader(splitHeader('current temp (°C)')), 'tempC', 'the bracketed unit wins over the first word');
  assert.is(metricOfHeader(splitHeader('wind_dir')), 'windDirDeg');
  assert.is(metricOfHeader(splitHeader('PM2.5')), 'pm25Ugm3');
  assert.is(metricOfHeader(splitHeader('battery_v')), 'voltageV');
  assert.is(metricOfHeader(splitHeader('CO2 [ppm]')), 'co2Ppm');
  assert.is(seriesNameOf('Temp, living room'), 'Temp_living_room');
});

header.run();
