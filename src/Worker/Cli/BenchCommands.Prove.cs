using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Kiln.Api;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Proofs.Snark;

namespace Kiln.Worker.Cli;

/// <summary>
/// <c>bench simple commit1|commit2|window-post|winning-post</c>: the proving steps of lotus-bench simple. The SNARK
/// steps use libfilcrypto (FILCRYPTO_LIB) or, with <c>--insecure-test-proofs</c>, Kiln's insecure test prover, whose
/// proofs are marked as such on every line that shows one.
/// </summary>
public static partial class BenchCommands
{
    /// <summary>Appended to every printed proof the insecure test prover made.</summary>
    public const string InsecureProofNote = " (insecure test proof, valid on no network)";

    private static Option<bool> InsecureTestProofsOption() => new("--insecure-test-proofs")
    {
        Description = "make SNARKs with Kiln's insecure test prover (valid on no network) instead of libfilcrypto (FILCRYPTO_LIB)",
    };

    private static ISnarkProver CreateProver(bool insecure)
    {
        var options = SnarkProverOptions.FromEnvironment();
        options.UseInsecureTestProofs = insecure;
        return SnarkProverFactory.Create(options);
    }

    private static string ProofNote(ISnarkProver prover) => prover.IsInsecure ? InsecureProofNote : string.Empty;

    private static Command Commit1Command()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var ticket = new Option<string?>("--ticket") { Description = "ticket used at PreCommit1 as 64 hex digits; default 32 bytes of 0x01 as lotus-bench" };
        var seed = new Option<string?>("--seed") { Description = "interactive seed as 64 hex digits; default 32 bytes of 0x01 as lotus-bench" };
        var sealed_ = new Argument<string>("sealed");
        var cache = new Argument<string>("cache");
        var commD = new Argument<string>("comm-d") { Description = "unsealed CID (d: of precommit2)" };
        var commR = new Argument<string>("comm-r") { Description = "sealed CID (r: of precommit2)" };
        var c1Out = new Argument<string>("c1out.json") { Description = "file to write the Commit1 output JSON to" };
        var cmd = new Command("commit1", "Run Commit1 (vanilla PoRep proofs) of a sector holding one sector-sized piece and write its JSON")
        {
            size, miner, sectorNumber, ticket, seed, sealed_, cache, commD, commR, c1Out,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var proof = SealProofInfo.ForSectorSize(sectorSize);
            var proverId = ProverId.FromActorId(ProverId.ParseIdAddress(parse.GetValue(miner)!));
            var ticketBytes = ParseRandomness(parse.GetValue(ticket), "--ticket");
            var seedBytes = ParseRandomness(parse.GetValue(seed), "--seed");
            var d = CommCid.ParsePieceCid(parse.GetValue(commD)!);
            var r = CommCid.ParseSealedCid(parse.GetValue(commR)!);
            PieceCommitment[] pieces = [new PieceCommitment(new PaddedPieceSize(sectorSize), new Commitment(d))];
            var request = new Commit1Request(proof, parse.GetValue(cache)!, parse.GetValue(sealed_)!, proverId, parse.GetValue(sectorNumber), ticketBytes, seedBytes, r, d, pieces);
            var started = Stopwatch.GetTimestamp();
            var output = await Commit1.RunAsync(request, ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"Commit1 {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            await File.WriteAllBytesAsync(parse.GetValue(c1Out)!, output.ToJson(), ct).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    private static Command Commit2Command()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var insecure = InsecureTestProofsOption();
        var c1Out = new Argument<string>("c1out.json") { Description = "the Commit1 output commit1 wrote (or lotus-bench's Commit2In JSON)" };
        var cmd = new Command("commit2", "Run Commit2 (the Groth16 seal proof) and print it as hex")
        {
            size, miner, sectorNumber, insecure, c1Out,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var proverId = ProverId.FromActorId(ProverId.ParseIdAddress(parse.GetValue(miner)!));
            var number = parse.GetValue(sectorNumber);
            var json = ReadC1Output(await File.ReadAllBytesAsync(parse.GetValue(c1Out)!, ct).ConfigureAwait(false), sectorSize, number);
            var prover = CreateProver(parse.GetValue(insecure));
            var started = Stopwatch.GetTimestamp();
            var proof = await Task.Run(() => prover.SealCommitPhase2(json, number, proverId), ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"Commit2: {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            Console.WriteLine($"proof: {Convert.ToHexStringLower(proof)}{ProofNote(prover)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The rust C1 output JSON from <paramref name="file"/>: Kiln's commit1 file as is, or the Phase1Out of
    /// lotus-bench's Commit2In (<c>{"SectorNum","Phase1Out","SectorSize"}</c>); checked against the sector size and number.
    /// </summary>
    private static byte[] ReadC1Output(byte[] file, ulong sectorSize, ulong sectorNumber)
    {
        byte[] json;
        string? proofName;
        try
        {
            using var doc = JsonDocument.Parse(file);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Phase1Out", out var phase1))
            {
                if (root.TryGetProperty("SectorNum", out var num) && num.GetUInt64() != sectorNumber)
                {
                    throw new ArgumentException($"the Commit2In is for sector {num.GetUInt64()}; pass --sector-number {num.GetUInt64()}");
                }

                json = phase1.GetBytesFromBase64();
                using var inner = JsonDocument.Parse(json);
                proofName = inner.RootElement.GetProperty("registered_proof").GetString();
            }
            else
            {
                json = file;
                proofName = root.GetProperty("registered_proof").GetString();
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"c1out.json is not a Commit1 output ({e.Message})", e);
        }

        if (proofName is null || !SealProofInfo.TryParseName(proofName, out var proof))
        {
            throw new ArgumentException($"c1out.json names an unknown registered_proof '{proofName}'");
        }

        if (proof.SectorSize != sectorSize)
        {
            throw new ArgumentException($"the Commit1 output is for {SectorSizes.Format(proof.SectorSize)} sectors; pass --sector-size {SectorSizes.Format(proof.SectorSize)}");
        }

        return json;
    }

    private static Command PoStCommand(PoStType type)
    {
        var winning = type == PoStType.Winning;
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var insecure = InsecureTestProofsOption();
        var vanillaOut = new Option<string?>("--vanilla-out") { Description = "also write the vanilla proof bytes to this file" };
        var sealed_ = new Argument<string>("sealed");
        var cache = new Argument<string>("cache");
        var commR = new Argument<string>("comm-r") { Description = "sealed CID (r: of precommit2)" };
        var sectorNum = new Argument<ulong?>("sector-num") { Description = "sector number (as lotus-bench; or --sector-number)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command(
            winning ? "winning-post" : "window-post",
            $"Prove one sector's {type} PoSt for zero randomness: vanilla proof, then its SNARK")
        {
            size, miner, sectorNumber, insecure, vanillaOut, sealed_, cache, commR, sectorNum,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var info = PoStProofInfo.ForSectorSize(sectorSize, type);
            var proverId = ProverId.FromActorId(ProverId.ParseIdAddress(parse.GetValue(miner)!));
            var r = CommCid.ParseSealedCid(parse.GetValue(commR)!);
            var number = parse.GetValue(sectorNumber);
            if (parse.GetValue(sectorNum) is { } positional)
            {
                if (parse.GetResult(sectorNumber) is { Implicit: false } && positional != number)
                {
                    throw new ArgumentException($"sector number {positional} and --sector-number {number} differ");
                }

                number = positional;
            }

            var prover = CreateProver(parse.GetValue(insecure));
            var randomness = new byte[32];
            var challenges = PoStChallenges.GenerateFallbackSectorChallenges(info.Proof, randomness, [number])[number];

            var started = Stopwatch.GetTimestamp();
            var replica = new PrivateReplicaInfo(info.Proof, parse.GetValue(cache)!, r, parse.GetValue(sealed_)!, number);
            var vanilla = await Task.Run(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges), ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"Vanilla {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            if (!VanillaPoSt.VerifyVanillaProof(info.Proof, randomness, number, r, vanilla, out var failure))
            {
                throw new ProofsException($"the vanilla proof of sector {number} does not verify: {failure}");
            }

            Console.WriteLine($"Vanilla proof {vanilla.Length} bytes, verified");
            if (parse.GetValue(vanillaOut) is { } path)
            {
                await File.WriteAllBytesAsync(path, vanilla, ct).ConfigureAwait(false);
            }

            started = Stopwatch.GetTimestamp();
            var proof = await Task.Run(() => Snark(prover, info, randomness, proverId, vanilla), ct).ConfigureAwait(false);
            took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"Proof {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            Console.WriteLine(Convert.ToBase64String(proof.Proof) + ProofNote(prover));
            if (prover.IsInsecure)
            {
                PublicReplica[] replicas = [new PublicReplica(info.Proof, r, number)];
                var ok = winning
                    ? prover.VerifyWinningPoSt(randomness, replicas, [proof], proverId)
                    : prover.VerifyWindowPoSt(randomness, replicas, [proof], proverId);
                if (!ok)
                {
                    throw new ProofsException($"the {type} PoSt proof does not verify");
                }
            }

            return 0;
        });
        return cmd;
    }

    private static PoStProofBytes Snark(ISnarkProver prover, PoStProofInfo info, byte[] randomness, byte[] proverId, byte[] vanilla)
    {
        if (info.Type == PoStType.Winning)
        {
            return prover.GenerateWinningPoStWithVanilla(info.Proof, randomness, proverId, [vanilla])[0];
        }

        var result = prover.GenerateWindowPoStWithVanilla(info.Proof, randomness, proverId, [vanilla]);
        return result.FaultySectors.Count > 0
            ? throw new ProofsException($"Window PoSt: faulty sectors {string.Join(", ", result.FaultySectors)}")
            : result.Proofs[0];
    }
}
