// Add or change a device without editing files: pick the port from the
// machine's serial ports (stable by-id names first), driver and serial
// settings (and, for the stream driver, its frame), try the connection,
// then save — an event on the box.

import * as api from '../api.js';
import * as router from '../router.js';
import { TITLES } from '../tiles.js';
import { add, busy, field, h, replace, showError, clearErrors, toast } from '../ui.js';
import { guard, readingLine } from '../technician.js';
import { frameEditor } from '../frame_editor.js';

const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
const SERIAL = { bytesize: [8, 7], parity: ['N', 'E', 'O'], stopbits: [1, 2] };

function select(name, options, selected) {
  return h('select', { name }, options.map(([value, text]) => h('option', { value: String(value), selected: String(value) === String(selected) }, text)));
}

function portChoice(port, checked) {
  const title = port.by_id ? port.by_id.split('/').pop() : port.device;
  const facts = [port.description, port.vid_pid && `VID:PID ${port.vid_pid}`, port.serial_number && `s/n ${port.serial_number}`,
    port.by_id ? port.device : null, port.used_by && `in use by ${port.used_by}`].filter(Boolean).join(' · ');
  return h('label', { class: 'radio-row port-choice', dataset: { port: port.open_with } },
    h('input', { type: 'radio', name: 'port_choice', value: port.open_with, checked, disabled: Boolean(port.used_by) && !checked }),
    h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, title), h('span', { class: 'row-sub' }, facts || 'no description')));
}

function probeResult(result) {
  const identity = result.identity || {};
  const drops = Object.entries((result.counters || {}).drop_reasons || {}).map(([why, n]) => `${why} ×${n}`).join(', ');
  return h('div', { class: `banner ${result.ok ? 'banner-info' : 'banner-bad'}`, id: 'probe-result', dataset: { ok: String(result.ok) } },
    h('strong', {}, result.ok ? 'Connection works. ' : 'No good. '),
    result.ok ? [identity.model ? `${identity.model}` : 'connected', identity.serial ? ` · s/n ${identity.serial}` : '',
      identity.firmware ? ` · firmware ${identity.firmware}` : '', identity.diagnostic ? ` · self-test ${identity.diagnostic}` : '',
      result.reading ? h('span', { id: 'probe-reading' }, ` · read ${readingLine({ kind: result.kind, data: result.reading })}`) : '']
      : result.detail,
    drops ? h('span', { class: 'probe-drops' }, ` · dropped: ${drops}`) : null);
}

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const editing = params.id || null;
  const [{ ports }, { drivers, serial_defaults: defaults }, device] = await Promise.all([
    api.get('/ports'), api.get('/drivers'), editing ? api.get(`/devices/${encodeURIComponent(editing)}`) : null]);
  const d = device ? { ...device, ...device.serial } : { kind: 'scale', driver: 'mt-sics', port: '', ...defaults };
  const form = h('form', { class: 'card device-form', id: 'device-form', novalidate: true });
  const driverSelect = select('driver', [], d.driver);
  const kindSelect = select('kind', Object.entries(TITLES), d.kind);
  const frame = frameEditor(device && device.frame, editing);
  const drawDrivers = () => {
    replace(driverSelect, drivers.filter((x) => x.kind === kindSelect.value)
      .map((x) => h('option', { value: x.name, selected: x.name === d.driver }, x.name)));
    frame.show(driverSelect.value === 'stream');
  };
  kindSelect.addEventListener('change', drawDrivers);
  driverSelect.addEventListener('change', () => frame.show(driverSelect.value === 'stream'));
  drawDrivers();
  const listed = ports.some((p) => p.open_with === d.port || p.device === d.port);
  const other = h('input', { name: 'port_other', placeholder: '/dev/ttyUSB0, socket://10.0.0.20:4001, rfc2217://…, http://10.0.0.21:8080 (regula-web)', value: listed ? '' : d.port });
  const portList = h('div', { class: 'port-list', id: 'port-list' },
    ports.map((p) => portChoice(p, p.open_with === d.port || p.device === d.port)),
    h('label', { class: 'radio-row port-choice' }, h('input', { type: 'radio', name: 'port_choice', value: '', checked: !listed && Boolean(d.port) }),
      h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, 'Another port or URL'), other)));
  other.addEventListener('focus', () => { portList.querySelector('input[value=""]').checked = true; });
  const result = h('div', { id: 'probe-slot' });

  add(form,
    field('id', 'Device id', h('input', { name: 'id', value: editing || '', disabled: Boolean(editing), placeholder: 'e.g. scale-2', maxlength: 64 })),
    h('div', { class: 'grid-2' }, field('kind', 'Kind', kindSelect), field('driver', 'Driver', driverSelect)),
    frame.element,
    h('fieldset', { class: 'field', dataset: { field: 'port' } }, h('legend', {}, 'Port — stable by-id names first'), portList,
      h('p', { class: 'field-error', role: 'alert' })),
    h('div', { class: 'grid-3' },
      field('baudrate', 'Baud rate', select('baudrate', BAUDS.map((b) => [b, b]), d.baudrate)),
      field('bytesize', 'Data bits', select('bytesize', SERIAL.bytesize.map((b) => [b, b]), d.bytesize)),
      field('parity', 'Parity', select('parity', [['N', 'none'], ['E', 'even'], ['O', 'odd']], d.parity)),
      field('stopbits', 'Stop bits', select('stopbits', SERIAL.stopbits.map((b) => [b, b]), d.stopbits)),
      field('calibration_interval_days', 'Calibration interval (days)', h('input', { name: 'calibration_interval_days', type: 'number', min: 1, max: 3650, value: d.calibration_interval_days ?? '' }))),
    h('div', { class: 'grid-2' },
      h('label', { class: 'check-row' }, h('input', { type: 'checkbox', name: 'xonxoff', checked: Boolean(d.xonxoff) }), 'XON/XOFF flow control'),
      h('label', { class: 'check-row' }, h('input', { type: 'checkbox', name: 'rtscts', checked: Boolean(d.rtscts) }), 'RTS/CTS flow control')),
    result,
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'btn-row' },
      h('button', { class: 'btn btn-big', type: 'button', id: 'test-connection', onclick: (e) => busy(e.currentTarget, test) }, 'Test connection'),
      h('button', { class: 'btn btn-primary btn-big', type: 'submit', id: 'save-device' }, editing ? 'Save changes' : 'Add device'),
      editing ? h('button', { class: 'btn btn-danger', type: 'button', id: 'remove-device', onclick: (e) => busy(e.currentTarget, remove) }, 'Remove device') : null));

  function body() {
    const v = (name) => form.elements[name].value;
    const choice = form.querySelector('input[name=port_choice]:checked');
    const interval = v('calibration_interval_days');
    return { id: editing || v('id').trim(), kind: v('kind'), driver: v('driver'), port: choice ? (choice.value || other.value.trim()) : '',
      baudrate: Number(v('baudrate')), bytesize: Number(v('bytesize')), parity: v('parity'), stopbits: Number(v('stopbits')),
      xonxoff: form.elements.xonxoff.checked, rtscts: form.elements.rtscts.checked,
      calibration_interval_days: interval ? Number(interval) : null,
      ...(v('driver') === 'stream' ? { frame: frame.value() } : {}) };
  }
  async function test() {
    clearErrors(form);
    replace(result, h('p', { class: 'note' }, 'Opening the port, identifying the device, reading…'));
    try {
      const b = body();
      replace(result, probeResult({ ...(await api.post('/devices/test-connection', b)), kind: b.kind }));
    } catch (err) {
      replace(result);
      showError(form, err);
    }
  }
  async function remove() {
    if (!window.confirm(`Remove ${editing} from the lane? Its history stays in the evidence log.`)) return;
    try {
      await api.request('DELETE', `/devices/${encodeURIComponent(editing)}`);
      toast(`${editing} removed`);
      router.go('/devices');
    } catch (err) {
      showError(form, err);
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('#save-device'), async () => {
      clearErrors(form);
      const b = body();
      try {
        if (editing) {
          const { id, ...change } = b;
          await api.request('PUT', `/devices/${encodeURIComponent(editing)}`, { body: change });
        } else {
          await api.post('/devices', b);
        }
        toast(`${b.id} saved`);
        router.go('/devices');
      } catch (err) {
        showError(form, err);
      }
    });
  });
  add(view, h('div', { class: 'page-head' }, h('h1', {}, editing ? `Edit ${editing}` : 'Add a device'),
    h('a', { class: 'btn btn-quiet', href: '#/devices' }, 'Back to devices')), form);
  return () => frame.close();
}
