using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Ui;

namespace Kiln.Ui.Tests;

/// <summary>
/// The dashboard's endpoints on a real kiln-miner (Kestrel on loopback): the page is public, the JSON under
/// <c>/ui/api</c> needs a bearer token with <c>read</c>, and its shapes are what the page reads.
/// </summary>
public sealed class DashboardEndpointsTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private DashboardMiner _miner = null!;

    public async Task InitializeAsync() => _miner = await DashboardMiner.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _miner.DisposeAsync();
    }

    [Theory]
    [InlineData("/ui", "text/html")]
    [InlineData("/ui/", "text/html")]
    [InlineData("/ui/dashboard.js", "text/javascript")]
    [InlineData("/ui/dashboard.css", "text/css")]
    public async Task The_page_and_its_files_are_served_without_a_token_under_a_strict_content_policy(string path, string type)
    {
        using var response = await _http.GetAsync(new Uri(_miner.BaseUrl, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_snapshot_shows_workers_jobs_sectors_storage_and_all_48_deadlines()
    {
        var worker = await _miner.ConnectWorkerAsync("gpu-box-7");
        var sector = await _miner.PledgeAsync();
        var call = await _miner.RecordJobAsync("gpu-box-7", worker, sector, TaskType.PreCommit2, JobOutcome.Failed, "out of GPU memory");
        await _miner.AttachStorageAsync("http://10.0.0.7:3456/remote", sector);
        var local = await _miner.AttachLocalStorageAsync();
        await _miner.RecordWindowPoStAsync(5, 1234, "post-box", Guid.NewGuid());

        using var snapshot = await GetJsonAsync("/ui/api/snapshot", _miner.ReadToken);
        var root = snapshot.RootElement;
        Assert.Equal("t01000", root.GetProperty("Actor").GetString());
        Assert.True(root.GetProperty("Now").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);

        var w = Assert.Single(root.GetProperty("Workers").EnumerateArray());
        Assert.Equal(worker, w.GetProperty("Id").GetGuid());
        Assert.Equal("gpu-box-7", w.GetProperty("Hostname").GetString());
        Assert.Equal("Sealing", w.GetProperty("Kind").GetString());
        Assert.True(w.GetProperty("Enabled").GetBoolean());
        Assert.Equal(["C2", "PC2"], w.GetProperty("Tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(16UL, w.GetProperty("Cpus").GetUInt64());
        Assert.Equal(256UL << 30, w.GetProperty("MemPhysical").GetUInt64());

        var job = Assert.Single(root.GetProperty("Jobs").EnumerateArray());
        Assert.Equal(call, job.GetProperty("CallID").GetGuid());
        Assert.Equal(sector, job.GetProperty("Sector").GetUInt64());
        Assert.Equal("PC2", job.GetProperty("Task").GetString());
        Assert.Equal("Failed", job.GetProperty("Outcome").GetString());
        Assert.Equal("out of GPU memory", job.GetProperty("Error").GetString());
        Assert.Equal(JsonValueKind.Number, job.GetProperty("DurationNs").ValueKind);

        var s = Assert.Single(root.GetProperty("Sectors").EnumerateArray());
        Assert.Equal(sector, s.GetProperty("Number").GetUInt64());
        Assert.Equal("Packing", s.GetProperty("State").GetString());
        foreach (var onChain in new[] { "PreCommitMessage", "PreCommitExitCode", "CommitMessage", "CommitExitCode", "ActivationEpoch", "Deadline", "Partition", "FailedIn" })
        {
            Assert.Equal(JsonValueKind.Null, s.GetProperty(onChain).ValueKind); // a pledged sector has nothing on chain yet
        }

        Assert.Equal(0, s.GetProperty("Retries").GetInt32());

        var path = Assert.Single(root.GetProperty("Storage").EnumerateArray(), p => p.GetProperty("Urls").EnumerateArray().Any(u => u.GetString() == "http://10.0.0.7:3456/remote"));
        Assert.Equal(1, path.GetProperty("Sealed").GetInt32());
        Assert.Equal(1, path.GetProperty("Cache").GetInt32());
        Assert.Equal(0, path.GetProperty("Unsealed").GetInt32());
        Assert.True(path.GetProperty("CanSeal").GetBoolean());
        Assert.Equal(JsonValueKind.Null, path.GetProperty("Local").ValueKind);
        Assert.Equal(JsonValueKind.Null, path.GetProperty("Stat").ValueKind);
        var own = Assert.Single(root.GetProperty("Storage").EnumerateArray(), p => p.GetProperty("Local").GetString() == local);
        Assert.False(own.GetProperty("CanSeal").GetBoolean());
        Assert.True(own.GetProperty("CanStore").GetBoolean());
        Assert.True(own.GetProperty("Stat").GetProperty("Capacity").GetInt64() > 0);
        Assert.Equal($"http://127.0.0.1:{_miner.Host.RpcUrl.Port}/remote", Assert.Single(own.GetProperty("Urls").EnumerateArray()).GetString());

        var deadlines = root.GetProperty("Deadlines").EnumerateArray().ToList();
        Assert.Equal(48, deadlines.Count);
        Assert.Equal(Enumerable.Range(0, 48), deadlines.Select(d => d.GetProperty("Index").GetInt32()));
        Assert.Equal("Succeeded", deadlines[5].GetProperty("Outcome").GetString());
        Assert.Equal(1234, deadlines[5].GetProperty("LastOpenEpoch").GetInt64());
        Assert.Equal(2_900_000_000, deadlines[5].GetProperty("TookNs").GetInt64());
        Assert.Equal("", deadlines[6].GetProperty("Outcome").GetString());

        Assert.False(root.GetProperty("Proving").GetProperty("Enabled").GetBoolean());
        Assert.InRange(root.GetProperty("Proving").GetProperty("DeadlineIndex").GetInt32(), 0, 47);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("PoStWorkers").ValueKind);
    }

    [Fact]
    public async Task A_deadline_answers_the_steps_of_its_newest_window_post()
    {
        var worker = Guid.NewGuid();
        await _miner.RecordWindowPoStAsync(7, 100, "post-box", worker);
        await _miner.RecordWindowPoStAsync(7, 160, "post-box", worker);

        using var timeline = await GetJsonAsync("/ui/api/deadlines/7", _miner.ReadToken);
        var root = timeline.RootElement;
        Assert.Equal(7, root.GetProperty("Index").GetInt32());
        Assert.Equal(0, root.GetProperty("Sectors").GetInt32());
        var steps = root.GetProperty("Steps").EnumerateArray().ToList();
        Assert.Equal(11, steps.Count);
        Assert.All(steps, s => Assert.Equal(160, s.GetProperty("Epoch").GetInt64()));
        var starts = steps.Select(s => s.GetProperty("Start").GetDateTimeOffset()).ToList();
        Assert.Equal(starts.Order(), starts);
        Assert.Equal(
            ["challenges", "deadline", "merge", "partition", "randomness", "snark", "vanilla", "verify"],
            steps.Select(s => s.GetProperty("Phase").GetString()).Distinct().Order(StringComparer.Ordinal));
        var snark = steps.First(s => s.GetProperty("Phase").GetString() == "snark");
        Assert.Equal(0, snark.GetProperty("Partition").GetInt32());
        Assert.Equal("post-box", snark.GetProperty("Host").GetString());
        Assert.Equal(worker, snark.GetProperty("Worker").GetGuid());
        Assert.Equal(1_380_000_000, snark.GetProperty("Duration").GetInt64());

        using var empty = await GetJsonAsync("/ui/api/deadlines/8", _miner.ReadToken);
        Assert.Empty(empty.RootElement.GetProperty("Steps").EnumerateArray());
    }

    [Theory]
    [InlineData("/ui/api/deadlines/48")]
    [InlineData("/ui/api/deadlines/-1")]
    public async Task A_deadline_index_outside_the_proving_period_is_a_bad_request(string path)
    {
        using var response = await SendAsync(path, _miner.ReadToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("out of range", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/api/snapshot")]
    [InlineData("/ui/api/deadlines/0")]
    [InlineData("/ui/api/deadlines/99")]
    public async Task Without_a_token_the_api_answers_401_with_how_to_get_one(string path)
    {
        using var response = await SendAsync(path, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var error = await ErrorAsync(response);
        Assert.StartsWith("missing token", error, StringComparison.Ordinal);
        Assert.Contains(DashboardEndpoints.TokenHint, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deadline_s_proving_check_lists_every_live_sector_with_the_reason_of_each_bad_one_and_needs_admin()
    {
        _miner.PresealOnChain([31, 32], deadline: 20);

        using var refused = await SendAsync("/ui/api/deadlines/20/check", _miner.ReadToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(
            "the token lacks the 'admin' permission (proving check reads every sector's vanilla proof, as `kiln-miner proving check` does): get one with `kiln-miner auth api-info --perm admin`",
            await ErrorAsync(refused));

        using var check = await GetJsonAsync("/ui/api/deadlines/20/check", _miner.AdminToken);
        var rows = check.RootElement.EnumerateArray().ToList();
        Assert.Equal([31UL, 32UL], rows.Select(r => r.GetProperty("Sector").GetUInt64()));
        Assert.All(rows, r => Assert.Equal(20, r.GetProperty("Deadline").GetInt32()));
        Assert.All(rows, r => Assert.Equal(0, r.GetProperty("Partition").GetInt32()));
        Assert.All(rows, r => Assert.Equal("not a Proving sector of this miner: kiln-miner holds no sealed CID for it", r.GetProperty("Bad").GetString()));

        using var empty = await GetJsonAsync("/ui/api/deadlines/21/check", _miner.AdminToken);
        Assert.Empty(empty.RootElement.EnumerateArray());

        using var outside = await SendAsync("/ui/api/deadlines/48/check", _miner.AdminToken);
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Contains("deadline index 48 out of range", await ErrorAsync(outside), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_in_the_query_string_is_not_accepted_by_the_api()
    {
        using var response = await _http.GetAsync(new Uri(_miner.BaseUrl, "/ui/api/snapshot?token=" + _miner.ReadToken));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_forged_token_gets_401_and_one_without_read_gets_403()
    {
        using var forged = await SendAsync("/ui/api/snapshot", new ApiSecret(new byte[32]).CreateToken(Permission.All));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.StartsWith("invalid token", await ErrorAsync(forged), StringComparison.Ordinal);

        using var adminOnly = await SendAsync("/ui/api/snapshot", _miner.Host.Repo.Secret.CreateToken([Permission.Admin]));
        Assert.Equal(HttpStatusCode.Forbidden, adminOnly.StatusCode);
        Assert.Contains("'read'", await ErrorAsync(adminOnly), StringComparison.Ordinal);

        using var full = await SendAsync("/ui/api/snapshot", _miner.Host.Repo.Secret.CreateToken(Permission.All));
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_miner.BaseUrl, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request);
    }

    private async Task<JsonDocument> GetJsonAsync(string path, string token)
    {
        using var response = await SendAsync(path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("Error").GetString()!;
    }
}
