using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kiln.Api.Auth;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Token secrecy at process level: kiln-miner run (logging at Information, as an operator runs it) and a kiln-worker
/// registered to it. A token in the URL is refused with 401 on /rpc/v0 and /remote, no token ever reaches either
/// process's log, and the repos and token files are owner-only.
/// </summary>
public sealed class TokenSecrecyProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-tokens-").FullName;
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        KilnProcesses.StopAllAsync(_processes).GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    private Process Start(string executable, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var p = KilnProcesses.Start(executable, args, environment);
        _processes.Add(p);
        return p;
    }

    [Fact]
    public async Task Tokens_in_urls_are_refused_and_never_logged_and_token_files_are_0600()
    {
        var minerRepo = Path.Combine(_dir, "miner");
        var info = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" };
        var miner = Start("kiln-miner", ["--repo", minerRepo, "run", "--listen", "127.0.0.1:0"], info);

        // Port 0: the miner writes the address it bound to its repo's api file, as lotus-miner does, and then says so
        // (the server is serving by then).
        await KilnProcesses.WaitForLineAsync(miner, "listening on .* \\(recorded in ", "kiln-miner to write its api file");
        var apiFile = Path.Combine(minerRepo, "api");
        var port = new ApiInfo(null, (await File.ReadAllTextAsync(apiFile)).Trim()).HttpUrl().Port;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        const string Session = """{"jsonrpc":"2.0","id":1,"method":"Filecoin.Session","params":[]}""";
        using (var r = await http.PostAsync("/rpc/v0", new StringContent(Session, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        var admin = (await File.ReadAllTextAsync(Path.Combine(minerRepo, "token"))).Trim();
        var storage = await KilnProcesses.StoragePathAsync(Path.Combine(_dir, "storage"));
        var workerRepo = Path.Combine(_dir, "worker");
        Directory.CreateDirectory(workerRepo);
        await new Kiln.Stores.Local.StorageConfig([new Kiln.Stores.Local.LocalPathConfig(storage)]).SaveAsync(Path.Combine(workerRepo, "storage.json"), CancellationToken.None);
        Start(
            "kiln-worker",
            ["--worker-repo", workerRepo, "run", "--listen", $"127.0.0.1:{KilnProcesses.FreePort()}", "--name", "w1", "--no-local-storage"],
            new() { ["MINER_API_INFO"] = $"{admin}:/ip4/127.0.0.1/tcp/{port}/http", ["Logging__LogLevel__Default"] = "Information", ["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(_dir, "parents") });

        await KilnProcesses.WaitForLineAsync(miner, "on w1 connected from", "the worker to register");
        const string Stats = """{"jsonrpc":"2.0","id":1,"method":"Filecoin.WorkerStats","params":[]}""";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/rpc/v0") { Content = new StringContent(Stats, Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var r = await http.SendAsync(request);
            Assert.Contains("\"w1\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A token in the query string is refused everywhere but the dashboard page (which reads it in the browser).
        using (var r = await http.PostAsync("/rpc/v0?token=" + admin, new StringContent(Session, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal(LotusAuthenticator.QueryTokenRefused, await r.Content.ReadAsStringAsync());
        }

        using (var r = await http.GetAsync("/remote/sealed/s-t01000-1?token=" + admin))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        foreach (var p in _processes)
        {
            p.Kill(entireProcessTree: false);
            await p.WaitForExitAsync();
        }

        var minerLog = string.Join('\n', KilnProcesses.Log(_processes[0]).Lines);
        var workerLog = string.Join('\n', KilnProcesses.Log(_processes[1]).Lines);
        // Logging really was at Information (so the check below could have seen request lines) ...
        Assert.Contains("connected from http://127.0.0.1:", minerLog, StringComparison.Ordinal);
        // ... and no token (every Lotus token starts with the same header segment) is in either log.
        Assert.DoesNotContain(LotusToken.HeaderSegment, minerLog, StringComparison.Ordinal);
        Assert.DoesNotContain(LotusToken.HeaderSegment, workerLog, StringComparison.Ordinal);

        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(minerRepo, "token")));
            Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(workerRepo, "token")));
            Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(minerRepo));
            Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(workerRepo));
        }
    }
}
