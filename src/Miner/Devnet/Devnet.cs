using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Devnet;

/// <summary>
/// <c>kiln-miner devnet</c>: a miner (this process) and N kiln-worker processes on loopback ports under one
/// directory; pledges K CC sectors, shows their progress, and prints the job table when every sector has
/// reached the last stage Kiln runs.
/// </summary>
public static class Devnet
{
    public static async Task<int> RunAsync(DevnetOptions options, TextWriter output, CancellationToken ct)
    {
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
        // Proving stays off in the devnet until the miner can read vanilla proofs from the workers' storage.
        minerOptions.Proving.Snark.UseInsecureTestProofs = options.InsecureTestProofs;
        minerOptions.Validate();
        var repo = MinerRepo.Open(Path.Combine(dir, "miner"));
        await using var miner = await MinerHost.StartAsync(repo, minerOptions, new IPEndPoint(IPAddress.Loopback, FreePort()), TimeProvider.System, ct, LogLevel.Warning).ConfigureAwait(false);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, miner.Stopping);
        ct = stopping.Token;
        output.WriteLine($"devnet in {dir}");
        output.WriteLine($"miner {minerOptions.ActorAddress} ({minerOptions.SectorSize}) on {miner.RpcUrl}");
        output.WriteLine("NOTE: devnet sectors use the built-in devnet chain's tickets and seeds; they are not valid on any network.");
        if (options.InsecureTestProofs)
        {
            output.WriteLine("NOTE: INSECURE TEST PROOFS: Commit2 proofs are keyed hashes, valid on no network.");
        }

        var workers = new List<Process>();
        try
        {
            var apiInfo = $"{repo.Secret.CreateToken(Permission.All)}:/ip4/127.0.0.1/tcp/{miner.RpcUrl.Port}/http";
            for (var i = 1; i <= options.Workers; i++)
            {
                workers.Add(StartWorker(workerBinary, dir, $"devnet-worker-{i}", apiInfo, options.InsecureTestProofs));
            }

            var postWorkers = options.Proving ? options.PoStWorkers : 0;
            for (var i = 1; i <= postWorkers; i++)
            {
                workers.Add(StartWorker(workerBinary, dir, $"devnet-wdpost-{i}", apiInfo, options.InsecureTestProofs, "--windowpost"));
                workers.Add(StartWorker(workerBinary, dir, $"devnet-wnpost-{i}", apiInfo, options.InsecureTestProofs, "--winningpost"));
            }

            await WaitForAsync(() => miner.Workers.Workers.Count >= options.Workers + (2 * postWorkers), TimeSpan.FromSeconds(60), workers, ct).ConfigureAwait(false);
            foreach (var w in miner.Workers.Workers)
            {
                output.WriteLine($"worker {w.Id} on {w.Info.Hostname}: {string.Join(' ', w.Tasks.OrderBy(TaskTypes.Order).Select(TaskTypes.ShortName))}");
            }

            miner.Pipeline.Changed += s => output.WriteLine($"sector {s.Number}: {s.State}{(s.Error is null ? "" : " — " + s.Error)}");
            for (var i = 0; i < options.Sectors; i++)
            {
                var id = await miner.Pipeline.PledgeAsync(ct).ConfigureAwait(false);
                output.WriteLine($"pledged sector {id.Number}");
            }

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(options.Timeout);
                await miner.Pipeline.WaitIdleAsync(timeout.Token).ConfigureAwait(false);
            }

            var sectors = await miner.Pipeline.ListAsync(ct).ConfigureAwait(false);
            var jobs = await miner.Jobs.ListAsync(10_000, ct).ConfigureAwait(false);
            output.WriteLine();
            WriteJobTable(output, jobs);
            output.WriteLine();
            WriteSectorTable(output, sectors);
            var ok = sectors.Count == options.Sectors && sectors.All(s => s.State == SectorState.Proving);
            output.WriteLine(ok
                ? $"all {sectors.Count} sectors sealed through AP, PC1, PC2, C1, C2 and FIN: Proving{(options.InsecureTestProofs ? " (insecure test proofs)" : "")}"
                : "some sectors did not reach Proving; see the worker logs in " + dir);
            if (ok && options.Proving)
            {
                ok = await WaitForPoStAsync(miner, sectors, options, output, ct).ConfigureAwait(false);
            }
            if (options.Keep)
            {
                output.WriteLine("devnet stays up (--keep); Ctrl+C stops it");
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }

            return ok ? 0 : 1;
        }
        finally
        {
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

    /// <summary>
    /// Waits until every sector was proven in its Window PoSt deadline by a PoSt worker process (which reads the vanilla
    /// proofs over HTTP from the sealing workers that hold the sectors) and a Winning PoSt round ran on a winning worker.
    /// </summary>
    private static async Task<bool> WaitForPoStAsync(MinerHost miner, IReadOnlyList<SectorRecord> sectors, DevnetOptions options, TextWriter output, CancellationToken ct)
    {
        var deadlines = sectors.Select(s => Proving.DeadlineInfo.ForSector(s.Number)).ToHashSet();
        output.WriteLine();
        output.WriteLine($"waiting for Window PoSt of deadline(s) {string.Join(", ", deadlines.Order())} and a Winning PoSt round (one epoch = {options.EpochDuration.TotalMilliseconds} ms) ...");
        var since = DateTimeOffset.UtcNow;
        var limit = Stopwatch.GetTimestamp();
        while (true)
        {
            var proven = (await miner.Proving.Deadlines.ListAsync(ct).ConfigureAwait(false))
                .Where(d => d.Proven >= since && d.Outcome == "Succeeded" && d.Sectors > 0)
                .Select(d => d.Index)
                .ToHashSet();
            var jobs = await miner.Jobs.ListAsync(10_000, ct).ConfigureAwait(false);
            var byWorker = jobs.Any(j => j.Task == TaskType.GenerateWindowPoSt && j.Outcome == JobOutcome.Succeeded && j.HostName.StartsWith("devnet-wdpost-", StringComparison.Ordinal));
            var winning = miner.Proving.Loop.LastWinning is { Outcome: { Local: false } };
            if (deadlines.IsSubsetOf(proven) && byWorker && winning)
            {
                output.WriteLine();
                // Every Window PoSt partition, and the latest Winning PoSt round (one runs every WinningEvery epochs).
                var post = jobs.Where(j => j.Task == TaskType.GenerateWindowPoSt).ToList();
                post.AddRange(jobs.Where(j => j.Task == TaskType.GenerateWinningPoSt).OrderByDescending(j => j.Start).Take(1));
                WriteJobTable(output, post);
                output.WriteLine();
                var rows = (await miner.Proving.Deadlines.ListAsync(ct).ConfigureAwait(false)).Where(d => deadlines.Contains(d.Index))
                    .Select(d => new[] { d.Index.ToString(CultureInfo.InvariantCulture), d.OpenEpoch.ToString(CultureInfo.InvariantCulture), d.Sectors.ToString(CultureInfo.InvariantCulture), d.Partitions.ToString(CultureInfo.InvariantCulture), d.Outcome })
                    .ToList();
                WriteTable(output, ["Deadline", "Open", "Sectors", "Partitions", "Outcome"], rows);
                output.WriteLine($"Window PoSt of every sector and Winning PoSt (epoch {miner.Proving.Loop.LastWinning!.Value.Epoch}) proven by PoSt workers{(options.InsecureTestProofs ? " (insecure test proofs)" : "")}");
                return true;
            }

            if (Stopwatch.GetElapsedTime(limit) > options.Timeout)
            {
                output.WriteLine("Window/Winning PoSt through the PoSt workers did not complete in time; see the logs in " + options.Directory);
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    private static Process StartWorker(string binary, string dir, string name, string apiInfo, bool insecureTestProofs, string? role = null)
    {
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--worker-repo", Path.Combine(dir, name), "run", "--listen", $"127.0.0.1:{FreePort()}", "--name", name })
        {
            psi.ArgumentList.Add(a);
        }

        if (insecureTestProofs)
        {
            psi.ArgumentList.Add("--insecure-test-proofs");
        }

        if (role is not null)
        {
            psi.ArgumentList.Add(role);
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
