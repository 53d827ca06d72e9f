// The bridge to AWS in the browser: a search-agreements file from the AWS CLI imported into
// the seller's Data section, its agreement listed as "From AWS", and the AWS CLI command of
// a cancellation request made for it, copied before the request is sent; a file that does
// not fit the service model refused with its field; the EventBridge rule of the event log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const SELLER = '111122223333';
const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };

/** What `aws marketplace-agreement search-agreements` prints (CLI version 2), for one agreement. */
function searchAgreements(id, status = 'ACTIVE') {
  return {
    agreementViewSummaries: [
      {
        agreementId: id,
        acceptanceTime: '2026-10-01T00:00:00+00:00',
        startTime: '2026-10-01T00:00:00+00:00',
        endTime: '2027-10-01T00:00:00+00:00',
        agreementType: 'PurchaseAgreement',
        acceptor: { accountId: '444455556666' },
        proposer: { accountId: SELLER },
        proposalSummary: { resources: [{ id: 'prod-awsimport1', type: 'SaaSProduct' }], offerId: 'offer-awsimport1' },
        status,
      },
    ],
  };
}

async function chooseFiles(page, files) {
  const chosen = files.map(([name, content]) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content, null, 2)),
  }));
  await page.getByRole('region', { name: 'Import from AWS' }).getByLabel('Files the AWS CLI printed').setInputFiles(chosen);
}

describe('Import from AWS and the AWS CLI command', () => {
  test('an imported agreement is listed as From AWS, and its cancellation request comes with the exact AWS CLI command', async () => {
    const { page, context } = await app.device(CLIPBOARD);
    await open(page, app.url('/seller/data'));
    await chooseFiles(page, [['search.json', searchAgreements('agmt-awsimport1')]]);
    await page.getByText(/search\.json: the output of search-agreements \(AWS CLI version 2\), with 1 agreement/).waitFor();
    const summary = page.getByRole('region', { name: 'What the import would do' });
    await summary.getByText('agreement agmt-awsimport1').waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Import these records' }).click();
    await page.getByText(/Imported from AWS: 1 agreement added or updated/).waitFor();

    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Agreements' }).click();
    await page.getByLabel('Agreement ID').fill('agmt-awsimport1');
    const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'agmt-awsimport1' });
    await row.getByText('From AWS').waitFor();
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Agreement agmt-awsimport1' }).waitFor();

    const reason = `Replacing it with the buyer's new "enterprise" plan; 更换为企业版`;
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'Replacing it with a new agreement' });
    await page.getByLabel('Reason', { exact: true }).fill(reason);
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Copy AWS CLI command' }).click();
    await page.getByText('Command copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const shown = await page.getByLabel('AWS CLI command').first().inputValue();
    assert.equal(copied, shown);
    const match = copied.match(/^aws marketplace-agreement send-agreement-cancellation-request --cli-input-json '(.*)'$/s);
    assert.ok(match, copied);
    const input = JSON.parse(match[1].replaceAll(`'\\''`, `'`));
    assert.equal(input.agreementId, 'agmt-awsimport1');
    assert.equal(input.reasonCode, 'REPLACING_AGREEMENT');
    assert.equal(input.description, reason);
    assert.match(input.clientToken, /\S/);
    await expectNoAxeViolations(page);

    // The same client token goes with the request the workbench sends.
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    await page.getByText('Pending approval', { exact: true }).first().waitFor();
    // A request made in the workbench has no ID in AWS: withdrawing it has no command, and says why.
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByText(/No AWS CLI command: Cancellation request .* was made in the workbench, not in AWS/).waitFor();
    await context.close();
  });

  test("a request imported from AWS comes with the commands that withdraw, accept and reject it, by the ID AWS gave it, and is marked in the buyer's list", async () => {
    const { page, context } = await app.device(CLIPBOARD);
    await open(page, app.url('/seller/data'));
    const requests = {
      items: [
        {
          agreementCancellationRequestId: 'acr-awsimport3',
          agreementId: 'agmt-awsimport3',
          status: 'PENDING_APPROVAL',
          reasonCode: 'UNINTENDED_RENEWAL',
          agreementType: 'PurchaseAgreement',
          catalog: 'AWSMarketplace',
          createdAt: Date.now() / 1000 - 3600,
          updatedAt: Date.now() / 1000 - 3600,
        },
      ],
    };
    await chooseFiles(page, [
      ['search.json', searchAgreements('agmt-awsimport3')],
      ['requests.json', requests],
    ]);
    await page.getByText(/requests\.json: the output of list-agreement-cancellation-requests \(AWS CLI version 1\)/).waitFor();
    await page.getByRole('button', { name: 'Import these records' }).click();
    await page.getByText(/Imported from AWS/).waitFor();

    await open(page, app.url('/seller/agreements/agmt-awsimport3'));
    await page.getByText('acr-awsimport3 (From AWS)').waitFor();
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByLabel('Reason for withdrawing').fill("Renewed by mistake, the buyer's 'v2' plan stays");
    const withdraw = await page.getByLabel('AWS CLI command').inputValue();
    assert.match(withdraw, /^aws marketplace-agreement cancel-agreement-cancellation-request --cli-input-json '/);
    const input = JSON.parse(withdraw.slice(withdraw.indexOf("'") + 1, -1).replaceAll(`'\\''`, `'`));
    assert.deepEqual(
      [input.agreementId, input.agreementCancellationRequestId, input.cancellationReason],
      ['agmt-awsimport3', 'acr-awsimport3', "Renewed by mistake, the buyer's 'v2' plan stays"],
    );

    await open(page, app.url('/buyer'));
    const request = page.getByRole('article', { name: 'Request for agreement agmt-awsimport3' });
    await request.getByText('Answer it in AWS instead').click();
    await request.getByRole('button', { name: 'Copy AWS CLI command' }).click();
    const accept = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(accept, /^aws marketplace-agreement accept-agreement-cancellation-request --cli-input-json '\{.*"acr-awsimport3".*\}'$/s);
    await request.getByLabel('Reason, to reject it in AWS').fill('We still need it');
    await request.getByRole('button', { name: 'Copy AWS CLI command' }).nth(1).click();
    const reject = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(reject, /^aws marketplace-agreement reject-agreement-cancellation-request --cli-input-json '\{.*"acr-awsimport3".*"We still need it".*\}'$/s);
    await page.getByRole('region', { name: 'Your agreements table' }).getByText('AWS Marketplace (From AWS)').waitFor();
    await context.close();
  });

  test("an agreement's terms say its pricing: without them it is not known; with usage-based terms its buyer may cancel it and gets the cancel-agreement command", async () => {
    const { page, context } = await app.device(CLIPBOARD);
    await open(page, app.url('/seller/data'));
    await chooseFiles(page, [['search.json', searchAgreements('agmt-awsterms1')]]);
    await page.getByRole('button', { name: 'Import these records' }).click();
    await page.getByText(/Imported from AWS: 1 agreement added or updated/).waitFor();
    await open(page, app.url('/seller/agreements/agmt-awsterms1'));
    await page.getByRole('region', { name: 'Terms' }).getByText('Not known', { exact: false }).waitFor();
    await open(page, app.url('/buyer'));
    await page.getByLabel('Signed in as buyer').selectOption('444455556666');
    const row = page.getByRole('region', { name: 'Your agreements table' }).getByRole('row').filter({ hasText: 'agmt-awsterms1' });
    await row.getByText(/^Its pricing is not known: import its terms from AWS \(get-agreement-terms\)/).waitFor();

    await open(page, app.url('/seller/data'));
    const terms = {
      acceptedTerms: [
        { usageBasedPricingTerm: { type: 'UsageBasedPricingTerm', id: 'term-usage1', currencyCode: 'USD', rateCards: [] } },
      ],
    };
    await chooseFiles(page, [['agmt-awsterms1.json', terms]]);
    await page.getByRole('region', { name: 'What the import would do' }).getByText('the terms of agreement agmt-awsterms1').waitFor();
    await page.getByRole('button', { name: 'Import these records' }).click();
    await page.getByText(/Imported from AWS/).waitFor();
    await open(page, app.url('/seller/agreements/agmt-awsterms1'));
    await page.getByRole('region', { name: 'Terms' }).getByText('Usage (pay-as-you-go)').waitFor();

    await open(page, app.url('/buyer'));
    await page.getByLabel('Signed in as buyer').selectOption('444455556666');
    await row.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Copy AWS CLI command' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `aws marketplace-agreement cancel-agreement --cli-input-json '{"agreementId":"agmt-awsterms1"}'`);
    await context.close();
  });

  test('a file that does not fit the service model is refused whole, with the field and the reason', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    await chooseFiles(page, [
      ['wrong.json', searchAgreements('agmt-awsimport2', 'Cancelled')],
      ['notes.txt', 'call the buyer on Monday'],
    ]);
    await page.getByText(/wrong\.json was not imported\. It does not fit the service model's output of search-agreements: agreementViewSummaries\[0\]\.status/).waitFor();
    await page.getByText(/notes\.txt was not imported\. It is not JSON/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Import these records' }).count(), 0);
    await context.close();
  });

  test('the event log gives the EventBridge rule of the bus it shows, on the default bus in us-east-1', async () => {
    const { page, context } = await app.device(CLIPBOARD);
    await open(page, app.url('/seller/events'));
    await page.getByText(/your account's default EventBridge event bus in the us-east-1 region, with the event source aws\.agreement-marketplace/).waitFor();
    /** The copied `aws events put-rule` command: its bus, region and event pattern. */
    const copiedRule = async () => {
      await page.getByRole('button', { name: 'Copy EventBridge rule' }).click();
      const text = await page.evaluate(() => navigator.clipboard.readText());
      const parts = text.match(/^aws events put-rule --region us-east-1 --event-bus-name default --name (\S+) --event-pattern '([^']*)'$/);
      assert.ok(parts, text);
      return JSON.parse(parts[2]);
    };
    const pattern = await copiedRule();
    assert.deepEqual(pattern.source, ['aws.agreement-marketplace']);
    assert.ok(pattern['detail-type'].every((t) => t.endsWith(' - Proposer')), pattern['detail-type'].join());
    await page.getByLabel('Events of').selectOption('buyer');
    const buyers = await copiedRule();
    assert.ok(buyers['detail-type'].every((t) => t.endsWith(' - Acceptor')), buyers['detail-type'].join());
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
