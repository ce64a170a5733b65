import { describe, expect, it } from 'vitest';
import { thermalStateFromTemperature } from './thermal-state.js';

describe('thermalStateFromTemperature', () => {
  it('maps CPU temperature to the documented states at the 70/80/90 °C boundaries', () => {
    expect(thermalStateFromTemperature(45)).toBe('nominal');
    expect(thermalStateFromTemperature(69.9)).toBe('nominal');
    expect(thermalStateFromTemperature(70)).toBe('fair');
    expect(thermalStateFromTemperature(80)).toBe('serious');
    expect(thermalStateFromTemperature(90)).toBe('critical');
    expect(thermalStateFromTemperature(104)).toBe('critical');
  });

  it('uses the given thresholds instead of the defaults', () => {
    expect(thermalStateFromTemperature(65, { fair: 50, serious: 60, critical: 95 })).toBe('serious');
  });

  it('reports no sensor as unknown', () => {
    expect(thermalStateFromTemperature(undefined)).toBeUndefined();
  });
});
