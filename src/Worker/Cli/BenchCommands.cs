using System.CommandLine;
using System.Diagnostics;
using Kiln.Api;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Worker.Bench;

namespace Kiln.Worker.Cli;

/// <summary>
/// <c>kiln-worker bench</c>: <c>simple addpiece|precommit1|precommit2|commit1|commit2|window-post|winning-post</c>
/// mirror lotus-bench simple (same
/// arguments, defaults and output lines), <c>simple unseal</c> decodes a sector sealed by them; <c>sdr</c> measures labeling throughput, <c>poseidon</c>
/// Poseidon hashes/s, <c>vanilla-post</c> Window PoSt vanilla proofs per sector.
/// </summary>
public static partial class BenchCommands
{
    /// <summary>lotus-bench's default sector size for the simple commands.</summary>
    public const string DefaultSectorSize = "512MiB";

    public static Command Build()
    {
        var bench = new Command("bench", "Benchmarks and single sealing steps, compatible with lotus-bench");
        var simple = new Command("simple", "Run basic sector operations (as lotus-bench simple)");
        simple.Subcommands.Add(AddPiece());
        simple.Subcommands.Add(PreCommit1Command());
        simple.Subcommands.Add(PreCommit2Command());
        simple.Subcommands.Add(UnsealCommand());
        simple.Subcommands.Add(Commit1Command());
        simple.Subcommands.Add(Commit2Command());
        simple.Subcommands.Add(PoStCommand(PoStType.Window));
        simple.Subcommands.Add(PoStCommand(PoStType.Winning));
        bench.Subcommands.Add(simple);
        bench.Subcommands.Add(SdrBench.Command());
        bench.Subcommands.Add(Pc1Bench.Command());
        bench.Subcommands.Add(PoseidonBench.Command());
        bench.Subcommands.Add(VanillaPostBench.Command());
        bench.Subcommands.Add(VanillaFetchBench.Command());
        bench.Subcommands.Add(PushBench.Command());
        return bench;
    }

    internal static Option<string> SectorSizeOption(string defaultValue) => new("--sector-size")
    {
        Description = "size of the sectors in bytes, i.e. 32GiB",
        DefaultValueFactory = _ => defaultValue,
    };

    private static Option<string> MinerAddrOption() => new("--miner-addr")
    {
        Description = "miner ID address",
        DefaultValueFactory = _ => "t01000",
    };

    private static Option<ulong> SectorNumberOption() => new("--sector-number")
    {
        Description = "sector number",
        DefaultValueFactory = _ => 1,
    };

    private static Command AddPiece()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var data = new Argument<string>("data") { Description = "file to read the piece from (e.g. /dev/zero)" };
        var unsealed = new Argument<string>("unsealed") { Description = "unsealed sector file to write" };
        var cmd = new Command("addpiece", "Create an unsealed sector file holding one sector-sized piece") { size, miner, data, unsealed };
        cmd.SetAction(async (parse, ct) =>
        {
            var proof = SealProofInfo.ForSectorSize(SectorSizes.Parse(parse.GetValue(size)!));
            ProverId.ParseIdAddress(parse.GetValue(miner)!);
            var pieceSize = new PaddedPieceSize(proof.SectorSize).Unpadded();
            var input = new FileStream(parse.GetValue(data)!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
            await using var inputScope = input.ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var piece = (await Proofs.Pieces.AddPiece.WriteAsync(parse.GetValue(unsealed)!, proof.SectorSize, [], pieceSize, input, ct).ConfigureAwait(false)).Piece;
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"AddPiece {GoFormat.Duration(took)} ({GoFormat.Bps(piece.Size.Value, 1, took)})");
            Console.WriteLine($"{piece.PieceCid} {piece.Size.Value}");
            return 0;
        });
        return cmd;
    }

    private static Command PreCommit1Command()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var ticket = new Option<string?>("--ticket") { Description = "ticket (seal randomness) as 64 hex digits; default 32 bytes of 0x01 as lotus-bench" };
        var synthetic = new Option<bool>("--synthetic") { Description = "use the synthetic-PoRep proof type" };
        var nonInteractive = new Option<bool>("--non-interactive") { Description = "use the NI-PoRep proof type" };
        var unsealed = new Argument<string>("unsealed");
        var sealed_ = new Argument<string>("sealed");
        var cache = new Argument<string>("cache");
        var pieces = new Argument<string[]>("pieces") { Description = "[piece cid] [piece size] pairs", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("precommit1", "Run PreCommit1 (SDR labeling) and print the base64 PreCommit1Out")
        {
            size, miner, sectorNumber, ticket, synthetic, nonInteractive, unsealed, sealed_, cache, pieces,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var proof = ProofFor(sectorSize, parse.GetValue(synthetic), parse.GetValue(nonInteractive));
            var actor = ProverId.ParseIdAddress(parse.GetValue(miner)!);
            var ticketBytes = ParseRandomness(parse.GetValue(ticket), "--ticket");
            var pieceInfos = ParsePieceCommitments(parse.GetValue(pieces) ?? []);
            var request = new PreCommit1Request(proof, parse.GetValue(unsealed)!, parse.GetValue(sealed_)!, parse.GetValue(cache)!, actor, parse.GetValue(sectorNumber), ticketBytes, pieceInfos);
            var started = Stopwatch.GetTimestamp();
            var output = await PreCommit1.RunAsync(request, ParentCacheOptions.FromEnvironment(), LabelKernel.Auto, null, cancellationToken: ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"PreCommit1 {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            Console.WriteLine(Convert.ToBase64String(output.ToLotusJson()));
            return 0;
        });
        return cmd;
    }

    private static Command PreCommit2Command()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var synthetic = new Option<bool>("--synthetic") { Description = "use the synthetic-PoRep proof type" };
        var sealed_ = new Argument<string>("sealed");
        var cache = new Argument<string>("cache");
        var pc1Out = new Argument<string>("pc1out") { Description = "the base64 PreCommit1Out printed by precommit1" };
        var cmd = new Command("precommit2", "Run PreCommit2 (tree_c, replica encoding, tree_r_last) and print comm_d and comm_r")
        {
            size, miner, sectorNumber, synthetic, sealed_, cache, pc1Out,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            ProverId.ParseIdAddress(parse.GetValue(miner)!);
            byte[] json;
            try
            {
                json = Convert.FromBase64String(parse.GetValue(pc1Out)!);
            }
            catch (FormatException)
            {
                throw new ArgumentException("pc1out is not base64 (pass the line precommit1 printed)");
            }

            var pc1 = PreCommit1Output.Parse(json);
            if (pc1.Proof.SectorSize != sectorSize)
            {
                throw new ArgumentException($"the PreCommit1Out is for {SectorSizes.Format(pc1.Proof.SectorSize)} sectors; pass --sector-size {SectorSizes.Format(pc1.Proof.SectorSize)}");
            }

            var started = Stopwatch.GetTimestamp();
            var output = await PreCommit2.RunAsync(pc1, parse.GetValue(cache)!, parse.GetValue(sealed_)!, cancellationToken: ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"PreCommit2 {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)})");
            Console.WriteLine($"d:{output.UnsealedCid} r:{output.SealedCid}");
            return 0;
        });
        return cmd;
    }

    private static Command UnsealCommand()
    {
        var size = SectorSizeOption(DefaultSectorSize);
        var miner = MinerAddrOption();
        var sectorNumber = SectorNumberOption();
        var ticket = new Option<string?>("--ticket") { Description = "ticket (seal randomness) as 64 hex digits; default 32 bytes of 0x01 as precommit1" };
        var offset = new Option<ulong>("--offset") { Description = "unpadded offset of the range to unseal (a multiple of 127)", DefaultValueFactory = _ => 0 };
        var length = new Option<ulong?>("--length") { Description = "unpadded length of the range to unseal; default the whole sector" };
        var sealed_ = new Argument<string>("sealed");
        var unsealed = new Argument<string>("unsealed") { Description = "unsealed partial file to fill (created when missing)" };
        var commD = new Argument<string>("commd") { Description = "the sector's unsealed CID (d: printed by precommit2)" };
        var cmd = new Command("unseal", "Unseal a range of a sealed sector into its unsealed file (regenerates the last layer in memory) and print the time")
        {
            size, miner, sectorNumber, ticket, offset, length, sealed_, unsealed, commD,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var proof = SealProofInfo.ForSectorSize(sectorSize);
            var request = new Proofs.Seal.UnsealRequest(
                proof,
                parse.GetValue(sealed_)!,
                parse.GetValue(unsealed)!,
                ProverId.ParseIdAddress(parse.GetValue(miner)!),
                parse.GetValue(sectorNumber),
                ParseRandomness(parse.GetValue(ticket), "--ticket"),
                CommCid.ParsePieceCid(parse.GetValue(commD)!),
                parse.GetValue(offset),
                parse.GetValue(length) ?? new PaddedPieceSize(sectorSize).Unpadded().Value);
            var started = Stopwatch.GetTimestamp();
            var result = await Unseal.RunAsync(request, ParentCacheOptions.FromEnvironment(), cancellationToken: ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            var bytes = result.Decoded.Aggregate(0UL, (sum, r) => sum + r.Size);
            Console.WriteLine($"Unseal {GoFormat.Duration(took)} ({GoFormat.Bps(sectorSize, 1, took)}): key {GoFormat.Duration(result.Labeling)}, {bytes} padded bytes decoded");
            return 0;
        });
        return cmd;
    }

    /// <summary>lotus-bench spt(): the newest proof for the size, optionally synthetic or NI.</summary>
    internal static SealProofInfo ProofFor(ulong sectorSize, bool synthetic, bool nonInteractive)
    {
        var v11 = SealProofInfo.ForSectorSize(sectorSize);
        if (synthetic && nonInteractive)
        {
            throw new ArgumentException("--synthetic and --non-interactive exclude each other");
        }

        var offset = synthetic ? 5 : nonInteractive ? 10 : 0;
        return SealProofInfo.Get(v11.Proof + offset);
    }

    /// <summary>A 32-byte ticket or seed given as hex; 32 bytes of 0x01 (lotus-bench's ticket and seed) when absent.</summary>
    internal static byte[] ParseRandomness(string? hex, string flag)
    {
        if (hex is null)
        {
            return Enumerable.Repeat((byte)1, 32).ToArray();
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{flag} '{hex}' is not hex");
        }

        return bytes.Length == 32 ? bytes : throw new ArgumentException($"{flag} must be 32 bytes (64 hex digits), got {bytes.Length}");
    }

    /// <summary>lotus-bench ParsePieceCommitments: alternating piece CID and padded size.</summary>
    internal static PieceCommitment[] ParsePieceCommitments(IReadOnlyList<string> args)
    {
        if (args.Count % 2 != 0)
        {
            throw new ArgumentException("pieces come in pairs: [piece cid] [piece size]");
        }

        var result = new PieceCommitment[args.Count / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var comm = CommCid.ParsePieceCid(args[2 * i]);
            if (!ulong.TryParse(args[(2 * i) + 1], out var padded))
            {
                throw new ArgumentException($"piece size '{args[(2 * i) + 1]}' is not a number");
            }

            var size = new PaddedPieceSize(padded);
            size.Validate();
            result[i] = new PieceCommitment(size, new Commitment(comm));
        }

        return result;
    }
}
