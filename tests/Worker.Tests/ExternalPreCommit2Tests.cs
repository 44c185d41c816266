using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Testing;
using Kiln.Worker.Sealing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// <c>--external-pc2</c> with a real command: a shell script that runs <c>kiln-worker bench simple precommit2</c> the
/// way Lotus's run help shows lotus-bench as the external executor, on the lotus-bench 2 KiB sector after Kiln's
/// PreCommit1; comm_r and comm_d come back from p_aux and tree-d (Lotus extern_pc2.go).
/// </summary>
public sealed class ExternalPreCommit2Tests : IAsyncLifetime
{
    private static readonly SectorRef Sector = new(new SectorId(BenchSector.Miner, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-extpc2-").FullName;
    private byte[] _pc1Out = [];

    private string Cache => Path.Combine(_dir, "cache");

    private string Sealed => Path.Combine(_dir, "sealed");

    public async Task InitializeAsync()
    {
        var unsealed = Path.Combine(_dir, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(new byte[2032]), CancellationToken.None)).Piece;
        var pc1 = await PreCommit1.RunAsync(
            new PreCommit1Request(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), unsealed, Sealed, Cache, BenchSector.Miner, 1, new byte[32], [piece]),
            new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") });
        _pc1Out = pc1.ToLotusJson();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A script file run by the command; the command itself is what an operator would pass to --external-pc2.</summary>
    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        return $"sh '{path}'";
    }

    private static ExternalPreCommit2 Pc2(string command) => new(command, NullLogger.Instance);

    [Fact]
    public async Task A_kiln_worker_bench_precommit2_command_yields_the_lotus_bench_commitments()
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "kiln-worker");
        // The .NET root of this test process, for the apphost: Lotus gives the command no other variable than EXTSEAL_PC2_*.
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var envFile = Path.Combine(_dir, "env.txt");
        var script = Script("pc2.sh", $"""
            env > '{envFile}'
            DOTNET_ROOT='{dotnetRoot}' exec '{worker}' bench simple precommit2 --sector-size "$EXTSEAL_PC2_SECTOR_SIZE" "$EXTSEAL_PC2_SEALED" "$EXTSEAL_PC2_CACHE" "$EXTSEAL_PC2_PC1OUT"
            """);

        var cids = await Pc2(script).RunAsync(Sector, _pc1Out, Cache, Sealed, CancellationToken.None);

        Assert.Equal(BenchSector.CommR, cids.Sealed.ToString());
        Assert.Equal(BenchSector.CommD, cids.Unsealed.ToString());
        Assert.Equal(64, new FileInfo(PersistentAux.PathIn(Cache)).Length);

        var seen = File.ReadAllLines(envFile).Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal("1", seen["EXTSEAL_PC2_SECTOR_NUM"]);
        Assert.Equal("1000", seen["EXTSEAL_PC2_SECTOR_MINER"]);
        Assert.Equal("5", seen["EXTSEAL_PC2_PROOF_TYPE"]);
        Assert.Equal("2048", seen["EXTSEAL_PC2_SECTOR_SIZE"]);
        Assert.Equal(Cache, seen["EXTSEAL_PC2_CACHE"]);
        Assert.Equal(Sealed, seen["EXTSEAL_PC2_SEALED"]);
        Assert.Equal(_pc1Out, Convert.FromBase64String(seen["EXTSEAL_PC2_PC1OUT"]));
        Assert.DoesNotContain("HOME", seen.Keys);
        Assert.Equal(7, seen.Keys.Count(k => k.StartsWith("EXTSEAL_PC2_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_command_that_copies_precomputed_outputs_gives_their_commitments()
    {
        // Seal a copy in-process, then let the command put its p_aux and tree-d in place (as an external sealer would).
        var done = Directory.CreateDirectory(Path.Combine(_dir, "precomputed")).FullName;
        foreach (var f in Directory.GetFiles(Cache))
        {
            File.Copy(f, Path.Combine(done, Path.GetFileName(f)));
        }

        File.Copy(Sealed, Path.Combine(done, "sealed"));
        var output = await PreCommit2.RunAsync(PreCommit1Output.Parse(_pc1Out), done, Path.Combine(done, "sealed"));
        File.Delete(PersistentAux.PathIn(Cache));
        var command = $"cp '{done}/p_aux' '{done}/sc-02-data-tree-d.dat' \"$EXTSEAL_PC2_CACHE\"/";

        var cids = await Pc2(command).RunAsync(Sector, _pc1Out, Cache, Sealed, CancellationToken.None);

        Assert.Equal(output.SealedCid, cids.Sealed.ToString());
        Assert.Equal(BenchSector.CommR, cids.Sealed.ToString());
        Assert.Equal(output.UnsealedCid, cids.Unsealed.ToString());
    }

    [Fact]
    public async Task A_failing_command_is_the_tasks_error_with_its_exit_status()
    {
        var e = await Assert.ThrowsAsync<ProofsException>(() => Pc2("echo pc2 failed >&2; exit 3").RunAsync(Sector, _pc1Out, Cache, Sealed, CancellationToken.None));
        Assert.Contains("s-t01000-1", e.Message, StringComparison.Ordinal);
        Assert.Contains("external command error: exit status 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_writes_no_p_aux_fails_naming_it()
    {
        var e = await Assert.ThrowsAsync<ProofsException>(() => Pc2("true").RunAsync(Sector, _pc1Out, Cache, Sealed, CancellationToken.None));
        Assert.Contains("p_aux", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sealed_file_of_the_wrong_size_stops_before_the_command_runs()
    {
        var marker = Path.Combine(_dir, "ran");
        await using (var f = File.OpenWrite(Sealed))
        {
            f.SetLength(100);
        }

        var e = await Assert.ThrowsAsync<ProofsException>(() => Pc2($"touch '{marker}'").RunAsync(Sector, _pc1Out, Cache, Sealed, CancellationToken.None));
        Assert.Contains("100 bytes", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Cancelling_kills_the_command()
    {
        using var cts = new CancellationTokenSource();
        var started = Path.Combine(_dir, "started");
        // The command says it started by creating a file: wait on the directory's create event, not a poll.
        using var watcher = new FileSystemWatcher(_dir, "started");
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => created.TrySetResult();
        watcher.EnableRaisingEvents = true;
        var run = Pc2($"touch '{started}'; exec sleep 600").RunAsync(Sector, _pc1Out, Cache, Sealed, cts.Token);
        await created.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(File.Exists(started));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
    }
}
