using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;
using Kiln.Stores.Local;
using Kiln.Testing;
using Xunit.Abstractions;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Restarts are not failures: kill -9 of the kiln-miner process while AddPiece, PreCommit1 and
/// PreCommit2 of several sectors run on a kiln-worker process, each time restarted on the same port — every sector
/// still reaches Proving. The worker is frozen (SIGSTOP) before the miner's job history is read and thawed (SIGCONT)
/// only after the restart, so the task seen Running cannot finish in between: each kill is known to interrupt it.
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class MinerRestartProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sectors = 3;
    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>The whole test's bound: sealing three 8 MiB sectors through three miner restarts takes well under it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-minerrestart-").FullName;
    private readonly List<Process> _processes = [];
    private readonly int _port = KilnProcesses.FreePort();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly CancellationTokenSource _deadline = new(Bound);
    private Process _miner = null!;
    private Process _worker = null!;

    private string MinerRepoPath => Path.Combine(_dir, "miner");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited))
        {
            // A worker left frozen by a failed assertion must be thawed to be killed cleanly.
            _ = Signal(p, SigCont);
        }

        await KilnProcesses.StopAllAsync(_processes);
        _deadline.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Every_sector_reaches_Proving_when_the_miner_is_killed_during_AddPiece_PreCommit1_and_PreCommit2()
    {
        var started = Stopwatch.StartNew();
        await StartMinerAsync();
        var storage = await KilnProcesses.StoragePathAsync(Path.Combine(_dir, "store"));
        _worker = await StartWorkerAsync(storage);
        await KilnProcesses.WaitForLineAsync(_miner, "on restart-host connected from", "the worker to register", patience: Bound);

        var kills = new List<Kill>();

        // AddPiece of an 8 MiB CC sector takes a fraction of a second: pledge one sector at a time until a kill lands
        // in one's AddPiece (each sector has one AddPiece to catch), then pledge the rest.
        var pledged = 0;
        while (kills.Count == 0)
        {
            Assert.True(pledged < Sectors, $"AddPiece of all {Sectors} sectors finished before the worker could be frozen during one: {await DescribeAsync()}");
            var sector = (await Kiln().PledgeSectorAsync(CancellationToken.None)).Number;
            pledged++;
            if (await KillDuringAsync(TaskType.AddPiece, () => Done(TaskType.AddPiece, sector)) is { } kill)
            {
                kills.Add(kill);
            }
        }

        while (pledged < Sectors)
        {
            await Kiln().PledgeSectorAsync(CancellationToken.None);
            pledged++;
        }

        foreach (var task in new[] { TaskType.PreCommit1, TaskType.PreCommit2 })
        {
            Kill? kill = null;
            while (kill is null)
            {
                // Only a sector that has not passed the task yet can still be caught in it.
                Assert.False(await AllPastAsync(task), $"every sector passed {task} before the miner could be killed during one: {await DescribeAsync()}");
                kill = await KillDuringAsync(task, () => AllPastAsync(task));
            }

            kills.Add(kill);
        }

        await WaitAsync(
            async () => (await StatusesAsync()).All(s => s.State is "Proving" or "Failed"),
            $"all {Sectors} sectors to reach Proving");

        var statuses = await StatusesAsync();
        Assert.Equal(Sectors, statuses.Count);
        foreach (var s in statuses)
        {
            Assert.True(s.State == "Proving", $"sector {s.SectorID} is {s.State} after the miner restarts: {s.LastErr}");
            Assert.Equal(string.Empty, s.LastErr);
            // Insecure test proofs keep the real proof's shape: one 192-byte partition proof below 32 GiB.
            Assert.Equal(192, s.Proof?.Length);
        }

        Assert.Equal([1UL, 2UL, 3UL], statuses.Select(s => s.SectorID));

        // Each kill interrupted a job of its task: the restarted miner either waited for the same call and recorded its
        // result (a persisted work), or ended the job Aborted ("miner restarted") or Failed (temporary) and ran it again.
        var history = await Kiln().KilnJobHistoryAsync(1000, CancellationToken.None);
        foreach (var j in history.OrderBy(j => j.Start))
        {
            output.WriteLine($"{j.Start:HH:mm:ss.fff} sector {j.Sector} {j.Task} {j.Outcome} {j.DurationNs / 1_000_000} ms {j.Error}");
        }

        foreach (var kill in kills)
        {
            output.WriteLine($"kill during {kill.Task}, restarted {kill.RestartedAt:HH:mm:ss.fff}: interrupted {string.Join(", ", kill.Interrupted.Select(j => $"{TaskTypes.ShortName(j.Task)} of sector {j.Sector.Number} (then {history.FirstOrDefault(h => h.CallID == j.CallId)?.Outcome})"))}");
        }

        output.WriteLine($"{pledged} sectors, {started.Elapsed.TotalSeconds:F1} s");
        foreach (var kill in kills)
        {
            Assert.Contains(kill.Interrupted, j => j.Task == kill.Task);
            foreach (var job in kill.Interrupted)
            {
                var now = Assert.Single(history, j => j.CallID == job.CallId);
                var sector = job.Sector.Number;
                var task = TaskTypes.ShortName(job.Task);
                switch (now.Outcome)
                {
                    case "Succeeded":
                        Assert.True(now.End > kill.RestartedAt, $"{task} of sector {sector} (call {job.CallId}) was Running when the miner was killed but ended {now.End:O}, before the restart at {kill.RestartedAt:O}");
                        break;
                    case "Aborted":
                        Assert.Equal("miner restarted", now.Error);
                        Assert.Contains(history, j => j.Sector == sector && j.Task == task && j.Outcome == "Succeeded" && j.Start > kill.RestartedAt);
                        break;
                    case "Failed":
                        // The kill broke one of the worker's own calls to the miner (an index call): the worker reported a
                        // temporary error, and the pipeline ran the task again instead of failing the sector.
                        Assert.False(string.IsNullOrEmpty(now.Error));
                        Assert.True(now.End > kill.RestartedAt, $"{task} of sector {sector} failed at {now.End:O}, before the restart at {kill.RestartedAt:O}: {now.Error}");
                        Assert.Contains(history, j => j.Sector == sector && j.Task == task && j.Outcome == "Succeeded" && j.Start > now.End);
                        break;
                    default:
                        Assert.Fail($"{task} of sector {sector} (call {job.CallId}) interrupted by a miner kill ended {now.Outcome}: {now.Error}");
                        break;
                }
            }
        }

        Assert.Equal(
            ["AP", "PC1", "PC2"],
            kills.Select(k => TaskTypes.ShortName(k.Task)));
    }

    /// <summary>
    /// Waits until a job of <paramref name="task"/> is Running, freezes the worker, and if the job is still Running
    /// kills the miner, reads which jobs its databases had Running, restarts it on the same port and thaws the worker.
    /// Returns null (worker thawed, miner untouched or restarted) when the job finished before the worker froze, or when
    /// <paramref name="gone"/> says no job of the task is left to catch.
    /// </summary>
    private async Task<Kill?> KillDuringAsync(TaskType task, Func<Task<bool>> gone)
    {
        var name = TaskTypes.ShortName(task);
        var seen = false;
        await WaitAsync(
            async () => (seen = (await Kiln().KilnJobHistoryAsync(1000, CancellationToken.None)).Any(j => j.Task == name && j.Outcome == "Running")) || await gone(),
            $"a job of {task} to run");
        if (!seen)
        {
            return null;
        }

        Assert.Equal(0, Signal(_worker, SigStop));
        if (!(await Kiln().KilnJobHistoryAsync(1000, CancellationToken.None)).Any(j => j.Task == name && j.Outcome == "Running"))
        {
            Assert.Equal(0, Signal(_worker, SigCont));
            return null;
        }

        _miner.Kill();
        await _miner.WaitForExitAsync(_deadline.Token);

        // What the killed miner had recorded as running: its job table on disk.
        IReadOnlyList<JobRecord> running;
        await using (var jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(MinerRepoPath, "jobs.sqlite") }, TimeProvider.System, CancellationToken.None))
        {
            running = [.. (await jobs.ListAsync(1000, CancellationToken.None)).Where(j => j.Outcome == JobOutcome.Running && j.Task is not TaskType.Fetch)];
        }

        var restartedAt = DateTimeOffset.UtcNow;
        await StartMinerAsync();
        Assert.Equal(0, Signal(_worker, SigCont));
        return running.Any(j => j.Task == task) ? new Kill(task, running, restartedAt) : null;
    }

    private async Task<bool> Done(TaskType task, ulong sector)
    {
        var name = TaskTypes.ShortName(task);
        return (await Kiln().KilnJobHistoryAsync(1000, CancellationToken.None)).Any(j => j.Sector == sector && j.Task == name && j.Outcome == "Succeeded");
    }

    /// <summary>Whether every pledged sector has a succeeded job of <paramref name="task"/> (none can run it again).</summary>
    private async Task<bool> AllPastAsync(TaskType task)
    {
        var name = TaskTypes.ShortName(task);
        var history = await Kiln().KilnJobHistoryAsync(1000, CancellationToken.None);
        return (await Kiln().SectorsListAsync(CancellationToken.None)).All(n => history.Any(j => j.Sector == n && j.Task == name && j.Outcome == "Succeeded"));
    }

    private async Task<List<SectorStatus>> StatusesAsync()
    {
        var statuses = new List<SectorStatus>();
        foreach (var n in await Kiln().SectorsListAsync(CancellationToken.None))
        {
            statuses.Add(await Kiln().SectorsStatusAsync(n, false, CancellationToken.None));
        }

        return statuses;
    }

    /// <summary>The sectors' states and errors, and the latest warnings of the processes, for a failure message.</summary>
    private async Task<string> DescribeAsync()
    {
        string states;
        try
        {
            states = string.Join("; ", (await StatusesAsync()).Select(s => $"sector {s.SectorID} {s.State}{(s.LastErr.Length > 0 ? ": " + s.LastErr : "")}"));
        }
        catch (Exception e) when (e is HttpRequestException or RpcException or IOException)
        {
            states = "miner not answering: " + e.Message;
        }

        return $"{states}\nlatest log lines:\n{string.Join('\n', _log.TakeLast(30))}";
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds: checked now, then again after each line the running miner logs
    /// (it logs every job it starts and every state a sector moves to); past the test's bound, fails naming the
    /// sectors' states.
    /// </summary>
    private async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var log = KilnProcesses.Log(_miner);
        try
        {
            await EventWait.UntilAsync(
                h => log.Changed += h,
                h => log.Changed -= h,
                async () =>
                {
                    try
                    {
                        return await condition();
                    }
                    catch (Exception e) when (e is HttpRequestException or RpcException or IOException)
                    {
                        return false; // the miner is going away; its next line comes from the next one
                    }
                },
                what,
                Bound);
        }
        catch (TimeoutException)
        {
            using var spare = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Fail($"timed out after {Bound} waiting for {what}: {await DescribeAsync().WaitAsync(spare.Token)}");
        }
    }

    private async Task StartMinerAsync()
    {
        _miner = Track("miner", KilnProcesses.Start("kiln-miner", ["--repo", MinerRepoPath, "run", "--listen", $"127.0.0.1:{_port}", "--sector-size", "8MiB"]));
        // Printed once the RPC server is bound and serving.
        await KilnProcesses.WaitForLineAsync(_miner, "listening on", "kiln-miner to answer", patience: Bound);
    }

    private async Task<Process> StartWorkerAsync(string storage)
    {
        var token = MinerRepo.Open(MinerRepoPath).Secret.CreateToken(Permission.All);
        var repo = Path.Combine(_dir, "worker");
        Directory.CreateDirectory(repo);
        await new StorageConfig([new LocalPathConfig(storage)]).SaveAsync(Path.Combine(repo, "storage.json"), CancellationToken.None);
        return Track("worker", KilnProcesses.Start(
            "kiln-worker",
            ["--worker-repo", repo, "run", "--listen", $"127.0.0.1:{KilnProcesses.FreePort()}", "--name", "restart-host", "--no-local-storage", "--insecure-test-proofs"],
            new()
            {
                ["MINER_API_INFO"] = $"{token}:/ip4/127.0.0.1/tcp/{_port}/http",
                ["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(_dir, "parents"),
            }));
    }

    private Process Track(string name, Process p)
    {
        _processes.Add(p);
        p.ErrorDataReceived += (_, e) => Keep(name, e.Data);
        p.OutputDataReceived += (_, e) => Keep(name, e.Data);
        return p;
    }

    private void Keep(string name, string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {name}: {line}"));
        while (_log.Count > 200)
        {
            _log.TryDequeue(out _);
        }
    }

    private RpcClient Client()
    {
        var token = MinerRepo.Open(MinerRepoPath).ReadToken();
        return RpcClient.Create(new ApiInfo(token, $"/ip4/127.0.0.1/tcp/{_port}/http").HttpUrl(), new RpcClientOptions { Token = token });
    }

    private IMinerStorageApi Storage() => Client().CreateProxy<IMinerStorageApi>();

    private IKilnMinerApi Kiln() => Client().CreateProxy<IKilnMinerApi>();

    /// <summary>SIGSTOP/SIGCONT straight from this process: a spawned <c>kill</c> would give the task time to finish.</summary>
    private static int Signal(Process process, int signal) => SendSignal(process.Id, signal);

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>One miner kill: the task it was aimed at, the jobs the killed miner had Running, when it was restarted.</summary>
    private sealed record Kill(TaskType Task, IReadOnlyList<JobRecord> Interrupted, DateTimeOffset RestartedAt);
}
