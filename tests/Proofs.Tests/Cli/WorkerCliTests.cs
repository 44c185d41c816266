using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kiln.Proofs.Tests.Cli;

/// <summary>kiln-worker run as a process, as operators and scripts run lotus-bench.</summary>
public sealed partial class WorkerCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string[] Out, string Err) Run(params string[] args) => Start(args).Result;

    private async Task<(int Code, string[] Out, string Err)> Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kiln-worker.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(_dir, "parents");
        psi.Environment.Remove("FILCRYPTO_LIB");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries), await stderr);
    }

    [GeneratedRegex(@"^AddPiece \S+ \(\S+ \S+/s\)$")]
    private static partial Regex AddPieceTiming();

    [GeneratedRegex(@"^PreCommit1 \S+ \(\S+ \S+/s\)$")]
    private static partial Regex PreCommit1Timing();

    [Fact]
    public void Addpiece_then_precommit1_print_what_lotus_bench_prints()
    {
        var zeros = Path.Combine(_dir, "zeros");
        File.WriteAllBytes(zeros, new byte[2032]);
        var unsealed = Path.Combine(_dir, "unsealed");

        var add = Run("bench", "simple", "addpiece", "--sector-size", "2KiB", zeros, unsealed);
        Assert.Equal(0, add.Code);
        Assert.Matches(AddPieceTiming(), add.Out[0]);
        Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy 2048", add.Out[1]);
        Assert.Equal(2048 + 3 + 4, new FileInfo(unsealed).Length);

        var cache = Path.Combine(_dir, "cache");
        var pc1 = Run("bench", "simple", "precommit1", "--sector-size", "2K", unsealed, Path.Combine(_dir, "sealed"), cache, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "2048");
        Assert.Equal(0, pc1.Code);
        Assert.Matches(PreCommit1Timing(), pc1.Out[0]);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(pc1.Out[1]));
        var expected = Kiln.Proofs.Seal.PreCommit1Output.ForCache(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1), cache, Convert.FromHexString("fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833"), Enumerable.Repeat((byte)1, 32).ToArray());
        Assert.Equal(Encoding.UTF8.GetString(expected.ToLotusJson()), json);
        Assert.Equal("15a4a233f44c593466911846dfa69b7bdd7d241cdefe743452bfd77c78eee385", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cache, "sc-02-data-layer-1.dat")))));
    }

    [GeneratedRegex(@"^PreCommit2 \S+ \(\S+ \S+/s\)$")]
    private static partial Regex PreCommit2Timing();

    private const string ZeroTicketCommD = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";

    private const string ZeroTicketCommR = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";

    [Fact]
    public void Addpiece_precommit1_precommit2_with_a_zero_ticket_reproduce_the_lotus_bench_comm_r()
    {
        var (sealedPath, cache, pc1Out) = SealZeroTicketSector();
        var wrongSize = Run("bench", "simple", "precommit2", "--sector-size", "8MiB", sealedPath, cache, pc1Out);
        Assert.NotEqual(0, wrongSize.Code);
        Assert.Contains("pass --sector-size 2KiB", wrongSize.Err, StringComparison.Ordinal);
    }

    /// <summary>addpiece, precommit1 (zero ticket) and precommit2 of a 2 KiB sector of zeros, checking lotus-bench's comm_d and comm_r.</summary>
    private (string Sealed, string Cache, string Pc1Out) SealZeroTicketSector()
    {
        var zeros = Path.Combine(_dir, "zeros");
        File.WriteAllBytes(zeros, new byte[2032]);
        var unsealed = Path.Combine(_dir, "unsealed");
        Assert.Equal(0, Run("bench", "simple", "addpiece", "--sector-size", "2KiB", zeros, unsealed).Code);
        var cache = Path.Combine(_dir, "cache");
        var sealedPath = Path.Combine(_dir, "sealed");
        var pc1 = Run("bench", "simple", "precommit1", "--sector-size", "2KiB", "--ticket", new string('0', 64), unsealed, sealedPath, cache, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "2048");
        Assert.Equal(0, pc1.Code);

        var pc2 = Run("bench", "simple", "precommit2", "--sector-size", "2KiB", sealedPath, cache, pc1.Out[1]);
        Assert.True(pc2.Code == 0, pc2.Err);
        Assert.Matches(PreCommit2Timing(), pc2.Out[0]);
        Assert.Equal($"d:{ZeroTicketCommD} r:{ZeroTicketCommR}", pc2.Out[1]);
        return (sealedPath, cache, pc1.Out[1]);
    }

    [GeneratedRegex(@"^Commit1 \S+ \(\S+ \S+/s\)$")]
    private static partial Regex Commit1Timing();

    [GeneratedRegex(@"^Commit2: \S+ \(\S+ \S+/s\)$")]
    private static partial Regex Commit2Timing();

    [GeneratedRegex(@"^proof: ([0-9a-f]+) \(insecure test proof, valid on no network\)$")]
    private static partial Regex InsecureSealProofLine();

    [Fact]
    public void Commit1_then_commit2_with_insecure_test_proofs_prove_the_zero_ticket_sector()
    {
        var (sealedPath, cache, _) = SealZeroTicketSector();
        var c1Path = Path.Combine(_dir, "c1out.json");
        var c1 = Run("bench", "simple", "commit1", "--sector-size", "2KiB", "--ticket", new string('0', 64), sealedPath, cache, ZeroTicketCommD, ZeroTicketCommR, c1Path);
        Assert.True(c1.Code == 0, c1.Err);
        Assert.Matches(Commit1Timing(), Assert.Single(c1.Out));
        var output = Kiln.Proofs.Seal.Commit1Output.Parse(File.ReadAllBytes(c1Path));
        var proverId = Kiln.Proofs.Sdr.ProverId.FromActorId(1000);
        Assert.Null(Kiln.Proofs.Seal.PoRepVerifier.Verify(output, proverId, 1));
        Assert.Equal(Enumerable.Repeat((byte)1, 32), output.Seed);

        var c2 = Run("bench", "simple", "commit2", "--sector-size", "2KiB", "--insecure-test-proofs", c1Path);
        Assert.True(c2.Code == 0, c2.Err);
        Assert.Matches(Commit2Timing(), c2.Out[0]);
        var proof = Convert.FromHexString(InsecureSealProofLine().Match(c2.Out[1]).Groups[1].Value);
        Assert.Equal(192, proof.Length);
        Assert.True(new Kiln.Proofs.Snark.InsecureTestProver().VerifySeal(
            RegisteredSealProof.StackedDrg2KiBV1_1, Kiln.Proofs.Multiformats.CommCid.ParseSealedCid(ZeroTicketCommR), Kiln.Proofs.Multiformats.CommCid.ParsePieceCid(ZeroTicketCommD),
            proverId, new byte[32], Enumerable.Repeat((byte)1, 32).ToArray(), 1, proof));

        // lotus-bench's commit1 file, Commit2In, carries the same JSON base64-encoded
        var commit2In = Path.Combine(_dir, "commit2in.json");
        File.WriteAllText(commit2In, JsonSerializer.Serialize(new { SectorNum = 1, Phase1Out = File.ReadAllBytes(c1Path), SectorSize = 2048 }));
        var fromLotus = Run("bench", "simple", "commit2", "--sector-size", "2KiB", "--insecure-test-proofs", commit2In);
        Assert.True(fromLotus.Code == 0, fromLotus.Err);
        Assert.Equal(c2.Out[1], fromLotus.Out[1]);

        var real = Run("bench", "simple", "commit2", "--sector-size", "2KiB", c1Path);
        Assert.Equal(1, real.Code);
        Assert.Empty(real.Out);
        Assert.Contains("FILCRYPTO_LIB", real.Err, StringComparison.Ordinal);

        var wrongNumber = Run("bench", "simple", "commit2", "--sector-size", "2KiB", "--sector-number", "2", "--insecure-test-proofs", c1Path);
        Assert.Equal(1, wrongNumber.Code);
        Assert.Contains("replica_id does not match sector 2", wrongNumber.Err, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Vanilla \S+ \(\S+ \S+/s\)$")]
    private static partial Regex VanillaTiming();

    [GeneratedRegex(@"^Proof \S+ \(\S+ \S+/s\)$")]
    private static partial Regex ProofTiming();

    [GeneratedRegex(@"^(\S+) \(insecure test proof, valid on no network\)$")]
    private static partial Regex InsecurePoStProofLine();

    [Theory]
    [InlineData("window-post", 5680, "2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a")]
    [InlineData("winning-post", 36816, null)]
    public void Post_commands_prove_the_zero_ticket_sector_for_zero_randomness(string command, int vanillaBytes, string? vanillaSha256)
    {
        var (sealedPath, cache, _) = SealZeroTicketSector();
        var vanillaPath = Path.Combine(_dir, "vanilla");
        var post = Run("bench", "simple", command, "--sector-size", "2KiB", "--insecure-test-proofs", "--vanilla-out", vanillaPath, sealedPath, cache, ZeroTicketCommR, "1");
        Assert.True(post.Code == 0, post.Err);
        Assert.Equal(4, post.Out.Length);
        Assert.Matches(VanillaTiming(), post.Out[0]);
        Assert.Equal($"Vanilla proof {vanillaBytes} bytes, verified", post.Out[1]);
        Assert.Matches(ProofTiming(), post.Out[2]);
        Assert.Equal(192, Convert.FromBase64String(InsecurePoStProofLine().Match(post.Out[3]).Groups[1].Value).Length);
        var vanilla = File.ReadAllBytes(vanillaPath);
        Assert.Equal(vanillaBytes, vanilla.Length);
        if (vanillaSha256 != null)
        {
            Assert.Equal(vanillaSha256, Convert.ToHexStringLower(SHA256.HashData(vanilla)));
        }

        var real = Run("bench", "simple", command, "--sector-size", "2KiB", sealedPath, cache, ZeroTicketCommR);
        Assert.Equal(1, real.Code);
        Assert.Contains("FILCRYPTO_LIB", real.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(real.Out, l => l.StartsWith("Proof ", StringComparison.Ordinal));
    }

    [Fact]
    public void Precommit1_takes_sector_number_and_ticket()
    {
        var zeros = Path.Combine(_dir, "zeros");
        File.WriteAllBytes(zeros, []);
        var unsealed = Path.Combine(_dir, "unsealed");
        Assert.Equal(0, Run("bench", "simple", "addpiece", "--sector-size", "2KiB", zeros, unsealed).Code);
        var cache = Path.Combine(_dir, "cache");
        var pc1 = Run("bench", "simple", "precommit1", "--sector-size", "2KiB", "--ticket", new string('0', 64), unsealed, Path.Combine(_dir, "sealed"), cache, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "2048");
        Assert.Equal(0, pc1.Code);
        // the lotus-bench help-text example (zero ticket) and its layer-2 digest
        Assert.StartsWith("eyJfbG90dXNfU2VhbFJhbmRvbW5lc3MiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", pc1.Out[1], StringComparison.Ordinal);
        Assert.Equal("a03d8ab5008d9659f6d45032fb1a6a1c49ad788af2465685b33081f05544de5d", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cache, "sc-02-data-layer-2.dat")))));

        var other = Run("bench", "simple", "precommit1", "--sector-size", "2KiB", "--ticket", new string('0', 64), "--sector-number", "2", unsealed, Path.Combine(_dir, "sealed"), cache, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "2048");
        Assert.Equal(0, other.Code);
        Assert.NotEqual("a03d8ab5008d9659f6d45032fb1a6a1c49ad788af2465685b33081f05544de5d", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(cache, "sc-02-data-layer-2.dat")))));
    }

    [Theory]
    [InlineData("no seal proof for sector size 3KiB", "bench", "simple", "addpiece", "--sector-size", "3KiB", "/dev/zero", "{dir}/u")]
    [InlineData("invalid piece CID", "bench", "simple", "precommit1", "--sector-size", "2KiB", "{dir}/u", "{dir}/s", "{dir}/c", "bagaXX", "2048")]
    [InlineData("pieces come in pairs", "bench", "simple", "precommit1", "--sector-size", "2KiB", "{dir}/u", "{dir}/s", "{dir}/c", "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy")]
    [InlineData("--ticket must be 32 bytes", "bench", "simple", "precommit1", "--ticket", "0102", "{dir}/u", "{dir}/s", "{dir}/c")]
    [InlineData("not an ID address", "bench", "simple", "addpiece", "--miner-addr", "t1abc", "/dev/zero", "{dir}/u")]
    [InlineData("invalid size", "bench", "sdr", "--sector-size", "lots")]
    [InlineData("expected 0xf102 (fil-commitment-sealed)", "bench", "simple", "window-post", "--sector-size", "2KiB", "{dir}/s", "{dir}/c", "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy")]
    [InlineData("p_aux does not exist", "bench", "simple", "winning-post", "--sector-size", "2KiB", "{dir}/s", "{dir}/c", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c")]
    [InlineData("expected 0xf101 (fil-commitment-unsealed)", "bench", "simple", "commit1", "--sector-size", "2KiB", "{dir}/s", "{dir}/c", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", "{dir}/c1.json")]
    [InlineData("p_aux does not exist", "bench", "simple", "commit1", "--sector-size", "2KiB", "{dir}/s", "{dir}/c", "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", "{dir}/c1.json")]
    [InlineData("--seed must be 32 bytes", "bench", "simple", "commit1", "--seed", "0102", "{dir}/s", "{dir}/c", "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c", "{dir}/c1.json")]
    [InlineData("no Window PoSt proof for 3KiB", "bench", "simple", "window-post", "--sector-size", "3KiB", "{dir}/s", "{dir}/c", "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c")]
    [InlineData("no $NUMA_NODE_INDEX placeholder", "store", "hugepage-file-init", "--node", "0", "--num", "1", "--size", "2KiB", "--path_pattern", "{dir}/huge")]
    [InlineData("--batch must be at least 1, got 0", "bench", "sdr", "--sector-size", "2KiB", "--batch", "0")]
    [InlineData("--sectors must be at least 1, got 0", "bench", "pc1", "--sector-size", "2KiB", "--sectors", "0")]
    [InlineData("--rounds must be at least 1, got 0", "bench", "pc1", "--sector-size", "2KiB", "--rounds", "0")]
    [InlineData("below the minimum (N+1)·S", "bench", "pc1", "--sector-size", "2KiB", "--sectors", "4", "--pool-size", "8KiB")]
    [InlineData("does not combine with --pool-size", "bench", "pc1", "--sector-size", "2KiB", "--pool-size", "6KiB", "--batch")]
    public void Bad_input_is_one_clear_error_line(string message, params string[] args)
    {
        var r = Run(args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal)).ToArray());
        Assert.Equal(1, r.Code);
        Assert.StartsWith("ERROR: ", r.Err, StringComparison.Ordinal);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_processes_generating_one_parent_cache_both_get_the_published_bytes()
    {
        // StackedDrg8MiBV1_1's cache does not exist yet; both workers race to create it.
        var runs = await Task.WhenAll(Start("bench", "sdr", "--sector-size", "8MiB", "--json"), Start("bench", "sdr", "--sector-size", "8MiB", "--json"));
        Assert.All(runs, r => Assert.Equal(0, r.Code));
        var file = Path.Combine(_dir, "parents", "v28-sdr-parent-5eed212119fd91aa6220a27f31a8966444a9381842bceb3a1ea61525bd47a5b5.cache");
        await using var stream = File.OpenRead(file);
        Assert.Equal("03cd13565ded97c240a5f52e54295ad127bd0461b57904cb3a4d79b097bbecab", Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "parents")));
    }

    [Fact]
    public void Store_hugepage_file_init_prints_the_files_it_made()
    {
        var r = Run("store", "hugepage-file-init", "--node", "0", "--num", "2", "--size", "4KiB", "--path", _dir);
        Assert.Equal(0, r.Code);
        Assert.Equal([Path.Combine(_dir, "numa_0", "4.0_kiB_0"), Path.Combine(_dir, "numa_0", "4.0_kiB_1")], r.Out);
        Assert.All(r.Out, f => Assert.Equal(4096, new FileInfo(f).Length));
    }

    [Fact]
    public void Bench_pc1_json_reports_labels_rss_and_the_pool()
    {
        // 4 jobs of 2 KiB through the minimum pool (N+1)·S = 10 KiB.
        var r = Run("bench", "pc1", "--sector-size", "2KiB", "--sectors", "4", "--pool-size", "10KiB", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out[^1]);
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("sectors").GetInt32());
        Assert.True(root.GetProperty("labelsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("peakRssBytes").GetInt64() > 0);
        Assert.Equal(10 * 1024, root.GetProperty("poolBytes").GetInt64());
        var highWater = root.GetProperty("poolHighWaterBytes").GetInt64();
        Assert.InRange(highWater, 2048 + 128, 10 * 1024);

        var compare = Run("bench", "pc1", "--sector-size", "2KiB", "--sectors", "2", "--compare", "--rounds", "2", "--dir", _dir, "--json");
        Assert.True(compare.Code == 0, compare.Err);
        using var runs = JsonDocument.Parse(compare.Out[^1]);
        Assert.Equal([2 * 2 * 2048L, (3 * 2 + 1) * 2048 / 2, 3 * 2048L], runs.RootElement.EnumerateArray().Select(e => e.GetProperty("poolBytes").GetInt64()));
        Assert.All(runs.RootElement.EnumerateArray(), e => Assert.Equal(2, e.GetProperty("rounds").GetInt32()));
        Assert.Empty(Directory.GetDirectories(_dir, "kiln-bench-pc1-*")); // the layer files go when the bench ends
    }

    [Fact]
    public void Bench_sdr_json_reports_throughput_and_memory()
    {
        var r = Run("bench", "sdr", "--sector-size", "2KiB", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out[^1]);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("nodesPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("nodesPerSecondPerCore").GetDouble() > 0);
        Assert.True(root.GetProperty("peakRssBytes").GetInt64() > 0);
        AssertLimit(root);
        Assert.Equal(2, root.GetProperty("layers").GetArrayLength());
        Assert.Equal("StackedDrg2KiBV1_1", root.GetProperty("proof").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("batch").ValueKind);
    }

    [Fact]
    public void Bench_sdr_batch_reports_aggregate_and_per_core_labels_against_one_sector()
    {
        var r = Run("bench", "sdr", "--sector-size", "2KiB", "--batch", "3", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out[^1]);
        var root = doc.RootElement;
        AssertLimit(root);
        var batch = root.GetProperty("batch");
        Assert.Equal(3, batch.GetProperty("sectors").GetInt32());
        Assert.Equal(1, batch.GetProperty("labelingThreads").GetInt32());
        Assert.Equal(2, batch.GetProperty("layers").GetArrayLength());
        Assert.True(batch.GetProperty("labelsPerSecond").GetDouble() > 0);
        Assert.True(batch.GetProperty("labelsPerSecondPerCore").GetDouble() > 0);
        Assert.True(batch.GetProperty("ratioToSingle").GetDouble() > 0);
        Assert.Equal(root.GetProperty("limitLabelsPerSecond").ValueKind, batch.GetProperty("ratioToLimit").ValueKind);

        var text = Run("bench", "sdr", "--sector-size", "2KiB", "--batch", "2");
        Assert.Equal(0, text.Code);
        Assert.Contains(text.Out, l => l.StartsWith("batch of 2 sectors, 1 labeling thread:", StringComparison.Ordinal));
        Assert.Contains(text.Out, l => l.StartsWith("per core: ", StringComparison.Ordinal) && l.Contains("x one sector", StringComparison.Ordinal));
    }

    /// <summary>The SHA-256 limit is openssl's figure, or unknown (null) on a machine without openssl.</summary>
    private static void AssertLimit(JsonElement root)
    {
        var limit = root.GetProperty("limitLabelsPerSecond");
        if (limit.ValueKind == JsonValueKind.Null)
        {
            Assert.StartsWith("unknown", root.GetProperty("limitSource").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("ratioToLimit").ValueKind);
        }
        else
        {
            Assert.True(limit.GetDouble() > 0);
            Assert.True(root.GetProperty("ratioToLimit").GetDouble() > 0);
        }
    }
}
