using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;
using Kiln.Proofs;
using Kiln.Stores.Local;

namespace Kiln.Miner.Devnet;

/// <summary>
/// <c>kiln-miner devnet</c>: a miner (this process) and kiln-worker processes on loopback ports under one directory —
/// a PC1 host (AP, PC1) and a PC2 host (PC2, C1, C2) sharing one sealing path (PC2 reads PC1's layers without a
/// fetch; <see cref="DevnetOptions.SeparateStorage"/> gives each its own path, and then the PC2 host fetches them
/// over <c>/remote</c>), a Window PoSt and a Winning PoSt worker with no storage of their own (they read vanilla
/// proofs over HTTP). It pledges K CC sectors, shows their progress, proves their deadlines and Winning PoSt
/// rounds, and ends with the job table and a PoSt summary.
/// </summary>
public static class Devnet
{
    public static async Task<int> RunAsync(DevnetOptions options, TextWriter output, CancellationToken ct) =>
        await RunAsync(options, output, live: false, ct).ConfigureAwait(false);

    /// <summary>With <paramref name="live"/> (a terminal), progress is a live Spectre.Console display instead of plain lines.</summary>
    public static async Task<int> RunAsync(DevnetOptions options, TextWriter output, bool live, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        var dir = options.Directory ?? System.IO.Directory.CreateTempSubdirectory("kiln-devnet-").FullName;
        System.IO.Directory.CreateDirectory(dir);
        var workerBinary = options.WorkerBinary ?? Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "kiln-worker.exe" : "kiln-worker");
        if (!File.Exists(workerBinary))
        {
            throw new ArgumentException($"kiln-worker not found at {workerBinary}: build both executables into one directory or pass --worker-bin");
        }

        var minerOptions = new MinerOptions { SectorSize = options.SectorSize };
        minerOptions.Proving.Enabled = options.Proving;
        minerOptions.Proving.EpochDuration = options.EpochDuration;
        minerOptions.Proving.Snark.UseInsecureTestProofs = options.InsecureTestProofs;
        minerOptions.Validate();
        var repo = MinerRepo.Open(Path.Combine(dir, "miner"));
        var miner = await MinerHost.StartAsync(repo, minerOptions, new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, ct, LogLevel.Warning).ConfigureAwait(false);
        await using var minerScope = miner.ConfigureAwait(false);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, miner.Stopping);
        ct = stopping.Token;
        output.WriteLine($"devnet in {dir}");
        output.WriteLine($"miner {minerOptions.ActorAddress} ({minerOptions.SectorSize}) on {miner.RpcUrl}");
        output.WriteLine($"dashboard http://{miner.RpcUrl.Authority}/ui?token={repo.Secret.CreateToken(Cli.MinerCli.PermissionsUpTo("read"))}");
        output.WriteLine("NOTE: the devnet chain is in-process (state in miner/" + Kiln.Miner.Chain.Devnet.DevnetNode.StateFileName + "): its tickets, seeds and sectors are valid on no other network, and it verifies no SNARK.");
        if (options.FailSector is { } failSector)
        {
            miner.Miner.DevnetFailures?.Set(failSector, failed: true);
            output.WriteLine($"NOTE: --fail-sector {failSector}: sector {failSector} is unreadable to PoSt reads (its Window PoSt skips it; it should be declared faulty). `kiln-miner --repo {repo.Path} devnet fail-sector {failSector} --off` makes it readable again.");
        }

        if (options.InsecureTestProofs)
        {
            output.WriteLine("NOTE: INSECURE TEST PROOFS: Commit2 and PoSt SNARKs are keyed hashes, valid on NO network.");
        }

        var workers = new List<Process>();
        try
        {
            var apiInfo = $"{repo.Secret.CreateToken(Permission.All)}:/ip4/127.0.0.1/tcp/{miner.RpcUrl.Port}/http";
            var sealing = await SealingWorkersAsync(options, dir, ct).ConfigureAwait(false);
            foreach (var w in sealing)
            {
                workers.Add(StartWorker(workerBinary, dir, w.Name, w.Port, apiInfo, options.InsecureTestProofs, w.Args));
                output.WriteLine($"{w.Name}: {w.Role}; storage {string.Join(", ", w.Storage.Select(p => Path.GetRelativePath(dir, p)))}");
            }

            var postWorkers = options.Proving ? options.PoStWorkers : 0;
            for (var i = 1; i <= postWorkers; i++)
            {
                workers.Add(StartWorker(workerBinary, dir, $"devnet-wdpost-{i}", FreePort(), apiInfo, options.InsecureTestProofs, ["--windowpost", "--no-local-storage"]));
                workers.Add(StartWorker(workerBinary, dir, $"devnet-wnpost-{i}", FreePort(), apiInfo, options.InsecureTestProofs, ["--winningpost", "--no-local-storage"]));
            }

            if (postWorkers > 0)
            {
                output.WriteLine($"devnet-wdpost-1..{postWorkers}, devnet-wnpost-1..{postWorkers}: Window and Winning PoSt workers, no storage (vanilla proofs over HTTP)");
            }

            await WaitForAsync(() => miner.Workers.Workers.Count >= sealing.Count + (2 * postWorkers), TimeSpan.FromSeconds(60), workers, ct).ConfigureAwait(false);

            // Every lotus-worker offers C1 (and FIN, GET); the PC1 host gives C1 up (`tasks disable C1`), so C1 runs next to C2.
            if (sealing.Count > 1 && miner.Workers.Workers.FirstOrDefault(w => w.Info.Hostname == sealing[0].Name) is { } pc1)
            {
                await pc1.Api.TaskDisableAsync(TaskType.Commit1, ct).ConfigureAwait(false);
                await miner.Workers.HeartbeatAsync(ct).ConfigureAwait(false);
            }

            foreach (var w in miner.Workers.Workers.OrderBy(w => w.Info.Hostname, StringComparer.Ordinal))
            {
                output.WriteLine($"worker {w.Id} on {w.Info.Hostname}: {string.Join(' ', w.Tasks.OrderBy(TaskTypes.Order).Select(TaskTypes.ShortName))}");
            }

            for (var i = 0; i < options.Sectors; i++)
            {
                var id = await miner.Pipeline.PledgeAsync(ct).ConfigureAwait(false);
                output.WriteLine($"pledged sector {id.Number}");
            }

            var storage = sealing.SelectMany(w => w.Storage).Distinct().ToList();
            var layers = SealProofInfo.ForSectorSize(SectorSizes.Parse(options.SectorSize)).Layers;
            var since = DateTimeOffset.UtcNow;
            var ok = live
                ? await DevnetView.LiveAsync(view => WatchAsync(miner, options, storage, layers, since, view, ct)).ConfigureAwait(false)
                : await WatchAsync(miner, options, storage, layers, since, DevnetView.Plain(output), ct).ConfigureAwait(false);

            var sectors = await miner.Pipeline.ListAsync(ct).ConfigureAwait(false);
            var jobs = await miner.Jobs.ListAsync(10_000, ct).ConfigureAwait(false);
            output.WriteLine();
            // Winning PoSt runs every few epochs: the table keeps the latest finished round, a line counts the others.
            var winningRounds = jobs.Where(j => j.Task == TaskType.GenerateWinningPoSt).ToList();
            var latestRound = winningRounds.Where(j => j.End is not null).MaxBy(j => j.Start);
            WriteJobTable(output, [.. jobs.Where(j => j.Task != TaskType.GenerateWinningPoSt), .. latestRound is null ? [] : new[] { latestRound }]);
            if (winningRounds.Count > 1)
            {
                output.WriteLine($"(and {winningRounds.Count - 1} other Winning PoSt rounds, {winningRounds.Count(j => j.WorkerId != Guid.Empty)} of all {winningRounds.Count} on winning workers; `kiln-miner sealing jobs` lists them)");
            }

            output.WriteLine();
            WriteSectorTable(output, sectors);
            await WriteFetchesAsync(sealing, dir, output, ct).ConfigureAwait(false);
            var allProving = sectors.Count == options.Sectors && sectors.All(s => s.State == SectorState.Proving);
            output.WriteLine(allProving
                ? $"all {sectors.Count} sectors sealed through AP, PC1, PC2, C1, C2 and FIN: Proving{(options.InsecureTestProofs ? " (insecure test proofs)" : "")}"
                : "some sectors did not reach Proving; see the worker logs in " + dir);
            if (allProving && options.Proving)
            {
                await WritePoStSummaryAsync(miner, sectors, options, since, ok, output, ct).ConfigureAwait(false);
            }

            if (options.Keep)
            {
                output.WriteLine($"devnet stays up (--keep); Ctrl+C stops it. CLI: kiln-miner --repo {repo.Path} proving deadlines");
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }

            return allProving && ok ? 0 : 1;
        }
        finally
        {
            // Proving stops before the workers it reads from go away.
            await miner.StopLoopsAsync().ConfigureAwait(false);
            foreach (var w in workers)
            {
                if (!w.HasExited)
                {
                    w.Kill(entireProcessTree: true);
                    await w.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                w.Dispose();
            }
        }
    }

    /// <summary>One sealing worker process: its name, what it does, its flags and the storage paths in its storage.json.</summary>
    private sealed record SealingWorker(string Name, string Role, string[] Args, IReadOnlyList<string> Storage)
    {
        /// <summary>The port its API, <c>/remote</c> and <c>/debug/metrics</c> listen on.</summary>
        public int Port { get; } = FreePort();
    }

    /// <summary>
    /// The sealing workers and their storage: with two or more, a PC1 host and a PC2 host on one shared sealing path
    /// (or each on its own with <see cref="DevnetOptions.SeparateStorage"/>); a third and later worker do every task on
    /// their own path; a single worker does everything. Each path gets its <c>sectorstore.json</c> and each worker
    /// repo a <c>storage.json</c> naming its paths, as <c>storage attach --init</c> would write them.
    /// </summary>
    private static async Task<IReadOnlyList<SealingWorker>> SealingWorkersAsync(DevnetOptions options, string dir, CancellationToken ct)
    {
        var shared = Path.Combine(dir, "shared");
        var list = new List<SealingWorker>();
        for (var i = 1; i <= options.Workers; i++)
        {
            var (name, role, args) = (options.Workers, i) switch
            {
                (1, _) => ("devnet-worker-1", "every sealing task", Array.Empty<string>()),
                (_, 1) => ("devnet-pc1", "PC1 host (AP, PC1)", ["--precommit2=false", "--commit=false"]),
                (_, 2) => ("devnet-pc2", "PC2 host (PC2, C1, C2)", ["--addpiece=false", "--precommit1=false"]),
                _ => ($"devnet-worker-{i}", "every sealing task", Array.Empty<string>()),
            };
            var path = i <= 2 && options.Workers > 1 && !options.SeparateStorage ? shared : Path.Combine(dir, name + "-storage");
            if (!File.Exists(Path.Combine(path, LocalStorageMeta.FileName)))
            {
                System.IO.Directory.CreateDirectory(path);
                await new LocalStorageMeta(StorageId.New(), 10, CanSeal: true, CanStore: true, 0, null, null, null, null, null, null).SaveAsync(path, ct).ConfigureAwait(false);
            }

            var repoDir = System.IO.Directory.CreateDirectory(Path.Combine(dir, name)).FullName;
            await new StorageConfig([new LocalPathConfig(path)]).SaveAsync(Path.Combine(repoDir, StorageConfig.FileName), ct).ConfigureAwait(false);
            list.Add(new SealingWorker(name, role, [.. args, "--no-local-storage"], [path]));
        }

        return list;
    }

    /// <summary>
    /// Follows the sectors to Proving (and their PC1 layers on disk), then — with proving on — their deadlines until
    /// each was proven by a PoSt worker and a Winning PoSt round ran on a winning worker. False when that did not
    /// happen within <see cref="DevnetOptions.Timeout"/>.
    /// </summary>
    private static async Task<bool> WatchAsync(MinerHost miner, DevnetOptions options, IReadOnlyList<string> storage, int layers, DateTimeOffset since, DevnetView view, CancellationToken ct)
    {
        var actor = miner.Proving.MinerId;
        var started = Stopwatch.GetTimestamp();
        var sealedAll = false;
        while (true)
        {
            var sectors = await miner.Pipeline.ListAsync(ct).ConfigureAwait(false);
            foreach (var s in sectors)
            {
                view.Sector(s);
                if (s.State is SectorState.PreCommit1 or SectorState.PreCommit2)
                {
                    view.Layers(s.Number, s.State == SectorState.PreCommit2 ? layers : LayerFilesOnDisk(storage, new SectorId(actor, s.Number)), layers);
                }
            }

            var settled = sectors.Count == options.Sectors && sectors.All(s => s.State is SectorState.Proving or SectorState.Failed);
            if (settled && !sealedAll)
            {
                sealedAll = true;
                if (sectors.Any(s => s.State == SectorState.Failed) || !options.Proving)
                {
                    return true;
                }
            }

            if (sealedAll && await PoStDoneAsync(miner, sectors, since, view, ct).ConfigureAwait(false))
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) > options.Timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Layer files PC1 has written for the sector (each appears when its layer is complete).</summary>
    private static int LayerFilesOnDisk(IReadOnlyList<string> storage, SectorId sector) =>
        storage.Select(p => Path.Combine(p, "cache", sector.ToSectorName()))
            .Where(System.IO.Directory.Exists)
            .Select(c => System.IO.Directory.GetFiles(c, "sc-02-data-layer-*.dat").Length)
            .DefaultIfEmpty(0)
            .Max();

    /// <summary>Whether every sector's deadline was proven since the devnet started, by a window worker, and a winning round ran on a winning worker.</summary>
    private static async Task<bool> PoStDoneAsync(MinerHost miner, IReadOnlyList<SectorRecord> sectors, DateTimeOffset since, DevnetView view, CancellationToken ct)
    {
        var chain = miner.Proving.Chain;
        var proving = sectors.Where(s => s.State == SectorState.Proving).Select(s => s.Number).ToList();
        var wanted = (await chain.SectorDeadlinesAsync(miner.Proving.MinerId, proving, ct).ConfigureAwait(false)).Values.ToHashSet();
        var records = (await miner.Proving.History.ListDeadlinesAsync(ct).ConfigureAwait(false)).Where(d => d.Proven >= since).ToDictionary(d => d.Index);
        var current = await chain.ProvingDeadlineAsync(miner.Proving.MinerId, ct).ConfigureAwait(false);
        // A deadline holding a --fail-sector sector is done once its Window PoSt ran, whatever it could prove.
        var failing = (await chain.SectorDeadlinesAsync(miner.Proving.MinerId, miner.Miner.DevnetFailures?.Failed ?? [], ct).ConfigureAwait(false)).Values.ToHashSet();
        foreach (var index in wanted.Order())
        {
            if (records.TryGetValue(index, out var d) && d.Outcome == "Succeeded" && d.Sectors > 0)
            {
                view.Deadline(index, DevnetView.DeadlineStage.Proven, $"proven at epoch {d.OpenEpoch}: {d.Sectors} sectors, {d.Partitions} partitions{(d.Skipped > 0 ? $", {d.Skipped} skipped" : "")}");
            }
            else if (d is not null && failing.Contains(index))
            {
                view.Deadline(index, DevnetView.DeadlineStage.Failed, $"ran at epoch {d.OpenEpoch} with a --fail-sector sector: {d.Outcome}{(d.Error is { } error ? ": " + error : "")}");
            }
            else
            {
                var opensIn = ((index - current.Index + current.WPoStPeriodDeadlines) % current.WPoStPeriodDeadlines) * current.WPoStChallengeWindow;
                var (stage, what) = d is { Outcome: "Failed" } ? (DevnetView.DeadlineStage.Failed, "failed: " + d.Error)
                    : index == current.Index ? (DevnetView.DeadlineStage.Proving, "proving")
                    : (DevnetView.DeadlineStage.Waiting, $"opens in {opensIn} epochs");
                view.Deadline(index, stage, what);
            }
        }

        var jobs = await miner.Jobs.ListAsync(10_000, ct).ConfigureAwait(false);
        var byWorker = jobs.Any(j => j.Task == TaskType.GenerateWindowPoSt && j.Outcome == JobOutcome.Succeeded && j.Start >= since && j.HostName.StartsWith("devnet-wdpost-", StringComparison.Ordinal));
        var winning = miner.Proving.Loop.LastWinning is { Outcome: { Local: false } };
        return wanted.All(i => records.TryGetValue(i, out var r) && ((r.Outcome == "Succeeded" && r.Sectors > 0) || failing.Contains(i))) && byWorker && winning;
    }

    /// <summary>The PoSt part of the closing report: every deadline proven, where and how long, the latest Winning PoSt, and one deadline's timeline.</summary>
    private static async Task WritePoStSummaryAsync(MinerHost miner, IReadOnlyList<SectorRecord> sectors, DevnetOptions options, DateTimeOffset since, bool ok, TextWriter output, CancellationToken ct)
    {
        var assigned = await miner.Proving.Chain.SectorDeadlinesAsync(miner.Proving.MinerId, [.. sectors.Select(s => s.Number)], ct).ConfigureAwait(false);
        var wanted = assigned.Values.ToHashSet();
        var records = (await miner.Proving.History.ListDeadlinesAsync(ct).ConfigureAwait(false)).Where(d => wanted.Contains(d.Index)).ToList();
        var took = await miner.Proving.History.LatestDeadlinesAsync(ct).ConfigureAwait(false);
        var timelines = new Dictionary<int, IReadOnlyList<PoStTimelineEntry>>();
        foreach (var d in records)
        {
            timelines[d.Index] = await miner.Proving.History.LatestTimelineAsync(PoStTimelineEntry.WindowProof, d.Index, ct).ConfigureAwait(false);
        }

        output.WriteLine();
        output.WriteLine("PoSt summary");
        WriteTable(output, ["Deadline", "Open", "Sectors", "Partitions", "Proven by", "Took", "Outcome"], [.. records.Select(d => new[]
        {
            d.Index.ToString(CultureInfo.InvariantCulture),
            d.OpenEpoch.ToString(CultureInfo.InvariantCulture),
            d.Sectors.ToString(CultureInfo.InvariantCulture),
            d.Partitions.ToString(CultureInfo.InvariantCulture),
            string.Join(",", timelines[d.Index].Where(s => s.Phase == "partition" && s.Outcome == "Succeeded").Select(s => s.Host).Distinct().Order(StringComparer.Ordinal)) is { Length: > 0 } hosts ? hosts : "-",
            took.TryGetValue(d.Index, out var t) && t.Epoch == d.OpenEpoch ? GoFormat.Duration(t.Duration) : "-",
            d.Error is { } e ? d.Outcome + ": " + e : d.Outcome,
        })]);
        var winningJob = (await miner.Jobs.ListAsync(10_000, ct).ConfigureAwait(false)).Where(j => j.Task == TaskType.GenerateWinningPoSt).MaxBy(j => j.Start);
        if (miner.Proving.Loop.LastWinning is { } w)
        {
            output.WriteLine(w.Outcome is { } o
                ? $"Winning PoSt: epoch {w.Epoch}, sector {o.Challenged[0]} proven by {(o.Local ? "the miner" : winningJob?.HostName ?? "a winning worker")}{(winningJob?.Duration is { } wd ? " in " + GoFormat.Duration(wd) : "")}"
                : $"Winning PoSt: epoch {w.Epoch} failed: {w.Error}");
        }

        foreach (var failed in miner.Miner.DevnetFailures?.Failed ?? [])
        {
            output.WriteLine(await FailedSectorLineAsync(miner, failed, ct).ConfigureAwait(false));
        }

        if (miner.Miner.Devnet?.MissedPartitions is { Count: > 0 } missed)
        {
            output.WriteLine($"devnet chain: {missed.Count} partition(s) closed without a Window PoSt and were faulted: {string.Join(", ", missed.Select(m => $"deadline {m.Deadline} partition {m.Partition} at epoch {m.Close}"))}");
        }

        if (records.FirstOrDefault() is { } first && timelines[first.Index].Count > 0)
        {
            output.WriteLine();
            Cli.ProvingCommands.WriteDeadline(output, new Rpc.ProvingDeadlineTimeline(first.Index, assigned.Values.Count(i => i == first.Index), timelines[first.Index]));
        }

        output.WriteLine();
        output.WriteLine(ok
            ? $"Window PoSt of every sector and Winning PoSt (epoch {miner.Proving.Loop.LastWinning?.Epoch}) proven by PoSt workers{(options.InsecureTestProofs ? " (insecure test proofs)" : "")}"
            : "Window/Winning PoSt through the PoSt workers did not complete in time; see the logs in " + (options.Directory ?? "the devnet directory"));
    }

    /// <summary>Where a <c>--fail-sector</c> sector stands on the chain: its deadline and partition, and whether the chain has it faulty, recovering or active.</summary>
    private static async Task<string> FailedSectorLineAsync(MinerHost miner, ulong sector, CancellationToken ct)
    {
        var chain = miner.Proving.Chain;
        if (await chain.SectorPartitionAsync(miner.Proving.MinerId, sector, ct).ConfigureAwait(false) is not { } at)
        {
            return $"--fail-sector {sector}: the sector is not on chain";
        }

        var partitions = await chain.DeadlinePartitionsAsync(miner.Proving.MinerId, (int)at.Deadline, ct).ConfigureAwait(false);
        var partition = partitions[(int)at.Partition];
        var state = partition.RecoveringSectors.Contains(sector) ? "recovering" : partition.FaultySectors.Contains(sector) ? "faulty" : "active";
        return $"--fail-sector {sector}: deadline {at.Deadline} partition {at.Partition}, {state} on chain";
    }

    /// <summary>What each sealing worker fetched from other hosts over <c>/remote</c>, from its <c>/debug/metrics</c>.</summary>
    private static async Task WriteFetchesAsync(IReadOnlyList<SealingWorker> sealing, string dir, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        output.WriteLine();
        foreach (var w in sealing)
        {
            string text;
            try
            {
                text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{w.Port}/debug/metrics"), ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                output.WriteLine($"{w.Name}: metrics unavailable ({e.Message})");
                continue;
            }

            var requests = MetricValue(text, "kiln_stores_fetch_requests_total");
            var bytes = MetricValue(text, "kiln_stores_fetch_bytes_total");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w.Name} (storage {string.Join(", ", w.Storage.Select(p => Path.GetRelativePath(dir, p)))}): fetched {requests:0} file(s), {GoFormat.SizeStr(new System.Numerics.BigInteger(bytes))} over /remote"));
        }
    }

    /// <summary>The value of an unlabelled series in Prometheus text; 0 when absent.</summary>
    private static double MetricValue(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(name.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static Process StartWorker(string binary, string dir, string name, int port, string apiInfo, bool insecureTestProofs, IEnumerable<string> extra)
    {
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--worker-repo", Path.Combine(dir, name), "run", "--listen", $"127.0.0.1:{port}", "--name", name })
        {
            psi.ArgumentList.Add(a);
        }

        if (insecureTestProofs)
        {
            psi.ArgumentList.Add("--insecure-test-proofs");
        }

        foreach (var a in extra)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["MINER_API_INFO"] = apiInfo;
        psi.Environment["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(dir, "parents");
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        var log = new StreamWriter(Path.Combine(dir, name + ".log")) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (log) { log.WriteLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (log) { log.WriteLine(e.Data); } } };
        p.Exited += (_, _) => { lock (log) { log.Dispose(); } };
        p.EnableRaisingEvents = true;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit, IReadOnlyList<Process> workers, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"a devnet worker exited with code {dead.ExitCode} before registering");
            }

            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException("devnet workers did not register in time");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The job tracker's history as a table, oldest first.</summary>
    internal static void WriteJobTable(TextWriter output, IReadOnlyList<JobRecord> jobs)
    {
        var rows = jobs.OrderBy(j => j.Start).Select(j => new[]
        {
            j.HostName,
            j.WorkerId.ToString("N")[..8],
            j.Sector.Number.ToString(CultureInfo.InvariantCulture),
            TaskTypes.ShortName(j.Task),
            j.Start.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
            j.Duration is { } d ? GoFormat.Duration(d) : "running",
            j.Outcome.ToString(),
        }).ToList();
        WriteTable(output, ["Hostname", "Worker", "Sector", "Task", "Start", "Duration", "Outcome"], rows);
    }

    internal static void WriteSectorTable(TextWriter output, IReadOnlyList<SectorRecord> sectors)
    {
        WriteTable(output, ["ID", "State", "Pieces"], sectors.Select(s => new[]
        {
            s.Number.ToString(CultureInfo.InvariantCulture),
            s.State.ToString(),
            string.Join(',', s.Pieces.Select(p => p.PieceCID.ToString())),
        }).ToList());
    }

    /// <summary>Columns separated by two spaces, as Go's tabwriter in lotus-miner's tables.</summary>
    internal static void WriteTable(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
