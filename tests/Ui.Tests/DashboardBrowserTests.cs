using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Ui;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Kiln.Ui.Tests;

/// <summary>
/// The dashboard end to end: a real kiln-miner on loopback, the page opened in headless Debian Chromium, what it shows
/// checked against what was put into the miner, and screenshots kept under <c>TestResults/ui-screenshots</c>.
/// </summary>
public sealed class DashboardBrowserTests(ChromiumFixture browser, ITestOutputHelper output) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private DashboardMiner _miner = null!;

    public async Task InitializeAsync()
    {
        // Generous for two shared cores: a poll is 1.5 s apart, the page renders on the next one.
        SetDefaultExpectTimeout(20_000);
        _miner = await DashboardMiner.StartAsync();
    }

    public async Task DisposeAsync() => await _miner.DisposeAsync();

    [Fact]
    public async Task The_page_shows_workers_jobs_sectors_storage_and_deadlines_and_updates_without_a_reload()
    {
        var sealer = await _miner.ConnectWorkerAsync("sealer-a");
        await _miner.ConnectWorkerAsync("post-box", TaskType.GenerateWindowPoSt);
        var first = await _miner.PledgeAsync();
        await _miner.RecordJobAsync("sealer-a", sealer, first, TaskType.PreCommit2, JobOutcome.Succeeded);
        await _miner.RecordJobAsync("sealer-a", sealer, first, TaskType.Commit2, JobOutcome.Running);
        await _miner.AttachStorageAsync("http://10.1.2.3:3456/remote", first);
        var local = await _miner.AttachLocalStorageAsync();
        await _miner.RecordWindowPoStAsync(5, 2_000, "post-box", Guid.NewGuid());
        await _miner.RecordFailedDeadlineAsync(9, 2_240, "worker lost");

        await using var context = await browser.Chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = Collect(page);
        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui?token=" + _miner.ReadToken).ToString());

        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await Expect(page.Locator("#auth")).ToBeHiddenAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        Assert.DoesNotContain("token=", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#actor")).ToHaveTextAsync("t01000");

        var worker = page.Locator("#workers tbody tr", new() { HasText = "sealer-a" });
        await Expect(worker).ToContainTextAsync("C2 PC2");
        await Expect(worker).ToContainTextAsync("16 cores");
        await Expect(worker).ToContainTextAsync("256 GiB");
        await Expect(worker).ToContainTextAsync("C2 " + first);
        await Expect(worker).ToContainTextAsync("enabled");

        var sector = page.Locator("#sectors tbody tr").Filter(new() { Has = page.Locator("td:first-child", new() { HasTextRegex = new($"^{first}$") }) });
        await Expect(sector).ToContainTextAsync("Packing");
        await Expect(page.Locator("#sectors thead")).ToContainTextAsync("PreCommit");
        await Expect(page.Locator("#sectors thead")).ToContainTextAsync("Deadline / Partition");
        await Expect(sector.Locator("td").Nth(2)).ToHaveTextAsync("-"); // nothing pre-committed yet
        await Expect(sector.Locator("td").Nth(4)).ToHaveTextAsync("-"); // not active
        await Expect(page.Locator("#sector-states")).ToHaveTextAsync("Packing: 1");

        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#jobs tbody tr").First).ToContainTextAsync("Running"); // running jobs come first
        await Expect(page.Locator("#jobs tbody tr", new() { HasText = "Succeeded" })).ToContainTextAsync("PC2");
        await Expect(page.Locator("#jobs tbody tr", new() { HasText = "Succeeded" })).ToContainTextAsync("sealer-a");
        await Expect(page.Locator("#count-running")).ToHaveTextAsync("1");

        await Expect(page.Locator("#storage tbody")).ToContainTextAsync("http://10.1.2.3:3456/remote");
        var own = page.Locator("#storage tbody tr", new() { HasText = local });
        await Expect(own).ToContainTextAsync("Store");
        await Expect(own).ToContainTextAsync(new Regex(@"free of \d"));

        var post = page.Locator("#post-workers tbody tr", new() { HasText = "post-box" });
        await Expect(post).ToContainTextAsync("WDP");
        await Expect(post).ToContainTextAsync("0/");
        await Expect(page.Locator("#workers tbody tr", new() { HasText = "post-box" })).ToContainTextAsync("WindowPoSt");

        await Expect(page.Locator("#deadlines .deadline-cell")).ToHaveCountAsync(48);
        await Expect(Deadline(page, 5)).ToHaveClassAsync(new Regex(@"\bdl-ok\b"));
        await Expect(Deadline(page, 9)).ToHaveClassAsync(new Regex(@"\bdl-failed\b"));
        await Expect(Deadline(page, 9)).ToHaveAttributeAsync("title", new Regex("worker lost"));
        await Expect(page.Locator("#deadlines .dl-current")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "dashboard");

        // Live: what the miner learns after the page loaded shows up without a reload.
        await page.EvaluateAsync("() => { window.kilnLoadMarker = 42; }");
        var second = await _miner.ConnectWorkerAsync("sealer-b");
        var next = await _miner.PledgeAsync();
        await _miner.RecordJobAsync("sealer-b", second, next, TaskType.PreCommit2, JobOutcome.Running);
        await _miner.RecordWindowPoStAsync(12, 2_360, "post-box", Guid.NewGuid());

        await Expect(page.Locator("#workers tbody tr", new() { HasText = "sealer-b" })).ToContainTextAsync("PC2 " + next);
        await Expect(page.Locator("#sector-states")).ToHaveTextAsync("Packing: 2");
        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#count-running")).ToHaveTextAsync("2");
        await Expect(Deadline(page, 12)).ToHaveClassAsync(new Regex(@"\bdl-ok\b"));
        Assert.Equal(42, await page.EvaluateAsync<int>("() => window.kilnLoadMarker"));
        await ScreenshotAsync(page, "dashboard-live");

        // A deadline's timeline: one bar per step of its newest Window PoSt.
        await Deadline(page, 5).ClickAsync();
        await Expect(page.Locator("#deadline-detail")).ToBeVisibleAsync();
        await Expect(page.Locator("#deadline-title")).ToContainTextAsync("Deadline 5");
        await Expect(page.Locator("#timeline .timeline-bar")).ToHaveCountAsync(11);
        await Expect(page.Locator("#deadline-summary")).ToContainTextAsync("Open epoch 2000: Succeeded in 2.90s");
        await Expect(page.Locator("#steps tbody tr", new() { HasText = "merge" })).ToContainTextAsync("miner");
        await Expect(page.Locator("#steps tbody tr", new() { HasText = "snark" }).First).ToContainTextAsync("post-box");
        await Expect(Deadline(page, 5)).ToHaveClassAsync(new Regex(@"\bselected\b"));
        await page.Locator("#deadline-detail").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "deadline-5");

        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task Sector_rows_show_their_messages_exit_codes_activation_placement_and_failures()
    {
        // The pipeline that writes these facts runs against a chain; here the miner's snapshot is answered with
        // three such sectors spliced in, so the page renders exactly these rows.
        var preCommit = "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4";
        var commit = "bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66";
        var t = TimeProvider.System.GetUtcNow();
        DashboardSector[] sectors =
        [
            new(21, "Proving", t, t, null) { PreCommitMessage = preCommit, PreCommitExitCode = 0, CommitMessage = commit, CommitExitCode = 0, ActivationEpoch = 5180, Deadline = 3, Partition = 1 },
            new(22, "PreCommitFailed", t, t, "sector 22: pre-commit exited SysErrInsufficientFunds(6)") { PreCommitMessage = preCommit, PreCommitExitCode = 6, Retries = 2 },
            new(23, "CommitAggregateWait", t, t, null) { PreCommitMessage = preCommit, PreCommitExitCode = 0, CommitMessage = commit },
        ];
        await using var context = await browser.Chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = Collect(page);
        await page.RouteAsync("**/ui/api/snapshot", async route =>
        {
            var response = await route.FetchAsync();
            var snapshot = JsonNode.Parse(await response.TextAsync())!;
            snapshot["Sectors"] = JsonSerializer.SerializeToNode(sectors, ApiJson.Options);
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = snapshot.ToJsonString() });
        });
        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui?token=" + _miner.ReadToken).ToString());

        ILocator Row(ulong number) => page.Locator("#sectors tbody tr").Filter(new() { Has = page.Locator("td:first-child", new() { HasTextRegex = new($"^{number}$") }) });
        var proving = Row(21);
        await Expect(proving.Locator("td").Nth(2)).ToHaveTextAsync("bafy2bza…6uue42v4 exit 0");
        await Expect(proving.Locator("td").Nth(2)).ToHaveAttributeAsync("title", preCommit);
        await Expect(proving.Locator("td").Nth(3)).ToHaveTextAsync("bafy2bza…hnd5dy66 exit 0");
        await Expect(proving.Locator("td").Nth(4)).ToHaveTextAsync("5180");
        await Expect(proving.Locator("td").Nth(5)).ToHaveTextAsync("3 / 1");

        var failed = Row(22);
        await Expect(failed.Locator("td").Nth(1).Locator(".badge")).ToHaveClassAsync(new Regex(@"\bbadge-bad\b"));
        await Expect(failed.Locator("td").Nth(2).Locator(".badge")).ToHaveTextAsync("exit 6");
        await Expect(failed.Locator("td").Nth(2).Locator(".badge")).ToHaveClassAsync(new Regex(@"\bbadge-bad\b"));
        await Expect(failed.Locator("td").Nth(3)).ToHaveTextAsync("-");
        await Expect(failed.Locator("td").Last).ToHaveTextAsync("sector 22: pre-commit exited SysErrInsufficientFunds(6) (2 retries)");

        await Expect(Row(23).Locator("td").Nth(3).Locator(".badge")).ToHaveTextAsync("pending");
        await Expect(Row(23).Locator("td").Nth(4)).ToHaveTextAsync("-");
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-proving")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-sealing")).ToHaveTextAsync("1");
        await Expect(page.Locator("#sector-states")).ToHaveTextAsync("CommitAggregateWait: 1Proving: 1PreCommitFailed: 1");
        await page.Locator("#sectors").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "sectors-on-chain");

        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task A_deadline_s_proving_check_runs_on_request_and_names_each_bad_sector_with_its_reason()
    {
        _miner.PresealOnChain([31, 32, 33], deadline: 20); // partitions 0 = {31, 32} and 1 = {33}; none of them sealed by this miner

        await using var context = await browser.Chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = Collect(page);

        // A read token shows the page; the check says it needs admin and the page keeps working.
        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui?token=" + _miner.ReadToken).ToString());
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Deadline(page, 20).ClickAsync();
        await Expect(page.Locator("#check")).ToBeHiddenAsync();
        await page.Locator("#check-button").ClickAsync();
        await Expect(page.Locator("#check-summary")).ToContainTextAsync("proving check refused: the token lacks the 'admin' permission");
        await Expect(page.Locator("#check-summary")).ToContainTextAsync(DashboardEndpoints.AdminHint);
        await Expect(page.Locator("#check")).ToBeHiddenAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");

        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui?token=" + _miner.AdminToken).ToString());
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Deadline(page, 20).ClickAsync();
        await page.Locator("#check-button").ClickAsync();
        await Expect(page.Locator("#check-summary")).ToContainTextAsync("3 sector(s), 3 bad");
        var rows = page.Locator("#check tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync(["0", "31", "bad", "not a Proving sector of this miner: kiln-miner holds no sealed CID for it"]);
        await Expect(rows.Nth(2).Locator("td")).ToHaveTextAsync(["1", "33", "bad", "not a Proving sector of this miner: kiln-miner holds no sealed CID for it"]);
        await Expect(rows.Nth(2)).ToHaveClassAsync(new Regex(@"\bcheck-bad\b"));
        await Expect(rows.Nth(0).Locator(".badge")).ToHaveClassAsync(new Regex(@"\bbadge-bad\b"));

        // Another deadline starts with no check shown; one without sectors says so.
        await Deadline(page, 21).ClickAsync();
        await Expect(page.Locator("#check")).ToBeHiddenAsync();
        await Expect(page.Locator("#check-summary")).ToHaveTextAsync("");
        await page.Locator("#check-button").ClickAsync();
        await Expect(page.Locator("#check-summary")).ToContainTextAsync("Deadline 21 checked at");
        await Expect(page.Locator("#check-summary")).ToContainTextAsync("0 sector(s), 0 bad");
        await Expect(page.Locator("#check tbody")).ToHaveTextAsync("No live sectors in this deadline.");
        await ScreenshotAsync(page, "deadline-check");

        // The 403 the page got on purpose is the only console error allowed.
        Assert.True(errors.TrueForAll(e => e.Contains("status of 403", StringComparison.Ordinal)), string.Join('\n', errors));
        Assert.Single(errors);
    }

    [Fact]
    public async Task Without_a_valid_token_the_page_says_how_to_get_one_and_takes_a_pasted_token()
    {
        await _miner.ConnectWorkerAsync("sealer-c");
        await using var context = await browser.Chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = Collect(page);

        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui").ToString());
        await Expect(page.Locator("#auth")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
        await Expect(page.Locator("#auth")).ToContainTextAsync(DashboardEndpoints.TokenHint);
        await Expect(page.Locator("#auth-reason")).ToHaveTextAsync("No token given.");
        await ScreenshotAsync(page, "no-token");

        await page.GotoAsync(new Uri(_miner.BaseUrl, "/ui?token=not-a-jwt").ToString());
        await Expect(page.Locator("#auth-reason")).ToContainTextAsync("invalid token");
        await Expect(page.Locator("#auth-reason")).ToContainTextAsync(DashboardEndpoints.TokenHint);
        Assert.DoesNotContain("token=", page.Url, StringComparison.Ordinal);
        await ScreenshotAsync(page, "invalid-token");

        await page.Locator("#token-input").FillAsync(_miner.ReadToken);
        await page.Locator("#token-form button").ClickAsync();
        await Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await Expect(page.Locator("#workers tbody")).ToContainTextAsync("sealer-c");

        await page.Locator("#forget").ClickAsync();
        await Expect(page.Locator("#auth-reason")).ToHaveTextAsync("Token forgotten.");
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();

        // The 401s the page got on purpose are the only console errors allowed.
        Assert.True(errors.TrueForAll(e => e.Contains("status of 401", StringComparison.Ordinal)), string.Join('\n', errors));
    }

    private static ILocator Deadline(IPage page, int index) => page.Locator($"#deadlines .deadline-cell[data-index='{index}']");

    /// <summary>Script errors and failed requests of the page, as text.</summary>
    private static List<string> Collect(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add("page error: " + e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add("console: " + m.Text);
            }
        };
        return errors;
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(HeadlessChromium.ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
