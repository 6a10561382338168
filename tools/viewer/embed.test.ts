/** Pure tests of the embedding: bundle text that looks like markup can neither end nor alter the page's scripts. */
import test from 'ava';
import { scriptSafeJson, viewerHtml } from './embed.js';

const HOSTILE = '</script><script>alert(1)</script><!-- <script> \u2028\u2029 </style>';

test('scriptSafeJson keeps the value and leaves no "<" for the HTML parser', (t) => {
  const value = { files: { 'service.log': HOSTILE, 'PASS_FAIL.txt': 'RUN r\nOVERALL: PASS\n' } };
  const json = scriptSafeJson(value);
  t.false(json.includes('<'));
  t.deepEqual(JSON.parse(json), value);
});

test('viewerHtml inlines css and js and embeds the files exactly once, round-tripping hostile text', async (t) => {
  const files = { 'manifest.json': '{"files":{}}', 'service.log': HOSTILE };
  const html = await viewerHtml(files);
  t.false(html.includes('href="viewer.css"'));
  t.false(html.includes('src="viewer.js"'));
  const embedded = /<script type="application\/json" id="exoarmur-bundle">([^<]*)<\/script>/.exec(html);
  t.truthy(embedded, 'one bundle script whose content holds no "<"');
  t.deepEqual(JSON.parse(embedded![1]!), { files });
  t.is(html.split('id="exoarmur-bundle"').length, 2);
  t.is(html.match(/<script\b/g)!.length, 2, 'the bundle data script and the viewer script, nothing injected');
});
