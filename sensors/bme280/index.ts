export * from './registers.js';
export * from './calibration.js';
export * from './decode.js';
export * from './bme280.js';
