/**
 * The lab imports a capture file as a learner would: pick a .pcapng, see its connections in the
 * sequence diagram, open a frame in the byte inspector, and switch between TCP segments, frames and
 * messages; a capture cut short shows what came before, with the record it broke off in.
 */
import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import { Conversation, LinkType, join, pcapngFile } from '../helpers/captureWriter.ts';

const MASK = new Uint8Array([1, 2, 3, 4]);

function websocketCapture(): Uint8Array {
  const conv = new Conversation(
    { address: '::1', port: 50000 },
    { address: '::1', port: 8080 },
    LinkType.LinuxSll2,
  );
  conv.open();
  conv.upgrade('/ws/echo');
  conv.send(
    'c2s',
    join([
      encodeFrame({ opcode: 1, payload: 'one', mask: MASK }),
      encodeFrame({ opcode: 1, payload: 'two', mask: MASK }),
    ]),
  );
  conv.send('s2c', encodeFrame({ opcode: 2, payload: new Uint8Array(3000).fill(0x2a) }), 1448);
  conv.send(
    's2c',
    join([encodeFrame({ opcode: 1, payload: 'Hel', fin: false }), encodeFrame({ opcode: 0, payload: 'lo' })]),
  );
  conv.close();
  return pcapngFile(conv.packets, { linkType: LinkType.LinuxSll2, resolution: 9 });
}

test('a capture opens in the diagram and inspector, as segments, frames or messages', async ({ page }) => {
  await page.goto('/#/en/lab');
  const input = page.getByLabel('Import a saved run, trace, HAR or capture file');
  const file = websocketCapture();
  await input.setInputFiles({
    name: 'echo.pcapng',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(file),
  });
  const view = page.locator('section[data-source="capture"]');
  await expect(view.getByRole('heading', { name: 'Capture file: echo.pcapng' })).toBeVisible();
  await expect(view.getByRole('note')).toContainText('tcpdump or Wireshark');
  const messages = view.getByRole('listbox');

  // Frames (the default): the 3000-byte frame says it spans three segments.
  await expect(view.getByRole('radio', { name: 'Frames' })).toBeChecked();
  await expect(messages.getByRole('option', { name: /Binary 3000 bytes \(3 segments\)/ })).toBeVisible();
  await messages.getByRole('option', { name: /Text 'two' \(masked\)/ }).click();
  const inspector = view.getByRole('region', { name: 'Byte inspector' });
  await expect(inspector).toContainText('Masking key');

  // Segments: one segment carries both client frames.
  await view.getByRole('radio', { name: 'TCP segments' }).check();
  await expect(view).toHaveAttribute('data-layer', 'segments');
  await expect(
    messages.getByRole('option', {
      name: /TCP segment, 18 B: Text 'one' \(masked\) · Text 'two' \(masked\)/,
    }),
  ).toBeVisible();
  await expect(messages.getByRole('option', { name: /Binary 3000 bytes \(middle\)/ })).toBeVisible();

  // Messages: the two fragments are one text message.
  await view.getByRole('radio', { name: 'Messages' }).check();
  await expect(messages.getByRole('option', { name: /Text message 'Hello' \(2 frames\)/ })).toBeVisible();

  const axe = await new AxeBuilder({ page }).include('.lab').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

  // Cut short inside the last record: the error names it, and everything before it is shown.
  await input.setInputFiles({
    name: 'cut.pcapng',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(file.subarray(0, file.length - 10)),
  });
  await expect(page.getByRole('alert')).toContainText(
    /The file is damaged: record \d+ at byte \d+: the file ends inside the block/,
  );
  await expect(view.getByRole('heading', { name: 'Capture file: cut.pcapng' })).toBeVisible();
  await expect(messages.getByRole('option', { name: /Text message 'Hello'/ })).toBeVisible();

  // A file named .pcap that is no capture: the error says what it starts with, and nothing changes.
  const before = await view.innerHTML();
  await input.setInputFiles({ name: 'notes.pcap', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByRole('alert')).toContainText(
    'not a pcap or pcapng file: it starts with 68 65 6c 6c',
  );
  expect(await view.innerHTML()).toBe(before);
});

test('the findings of a capture name what its traffic breaks, and open the message', async ({ page }) => {
  const conv = new Conversation({ address: '127.0.0.1', port: 50001 }, { address: '127.0.0.1', port: 8080 });
  conv.open();
  conv.upgrade('/chat');
  conv.send('c2s', encodeFrame({ opcode: 1, payload: 'hi' })); // a client frame without a mask
  conv.close();
  await page.goto('/#/en/lab');
  await page.getByLabel('Import a saved run, trace, HAR or capture file').setInputFiles({
    name: 'unmasked.pcapng',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(pcapngFile(conv.packets, { linkType: LinkType.Null })),
  });
  const view = page.locator('section[data-source="capture"]');
  const finding = view.locator('li[data-finding="ws-unmasked-client-frame"]');
  await expect(finding).toContainText('RFC 6455 5.1');
  await expect(finding.getByRole('button')).toHaveText('Show on c1 (client to server)');
  await view.getByRole('radio', { name: 'TCP segments' }).check();
  await finding.getByRole('button').click();
  // Back at the frames, the frame open in the inspector.
  await expect(view.getByRole('radio', { name: 'Frames' })).toBeChecked();
  await expect(view.getByRole('heading', { name: /^Capture file/ })).toBeFocused();
  await expect(view.getByRole('listbox').getByRole('option', { name: /Text 'hi'/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(view.getByRole('region', { name: 'Byte inspector' })).toContainText('MASK');
});

test('the layer switch speaks Korean on the Korean page', async ({ page }) => {
  await page.goto('/#/ko/lab');
  await page.locator('input[type="file"]').setInputFiles({
    name: 'echo.pcapng',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(websocketCapture()),
  });
  const view = page.locator('section[data-source="capture"]');
  await expect(view.getByRole('group', { name: '보기 단위' })).toBeVisible();
  await view.getByRole('radio', { name: 'TCP 세그먼트' }).check();
  await expect(view).toHaveAttribute('data-layer', 'segments');
});
