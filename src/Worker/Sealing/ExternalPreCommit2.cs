using System.Diagnostics;
using System.Globalization;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Worker.Sealing;

/// <summary>
/// <c>--external-pc2 CMD</c>: PreCommit2 computed by a command, as Lotus storage/sealer/ffiwrapper/extern_pc2.go
/// <c>MakeExternPrecommit2</c> runs it. The command runs as <c>sh -c CMD</c> with exactly the <c>EXTSEAL_PC2_*</c>
/// variables as its environment (Lotus sets no other: no PATH, no HOME), its output goes to the worker's
/// stdout/stderr, and a non-zero exit is the task's error. It is to write the cache's tree-r / tree-c files and
/// <c>p_aux</c> / <c>t_aux</c> and turn the sealed file (which PreCommit1 filled with the sector's data) into the
/// replica in place; comm_r is then Poseidon(comm_c, comm_r_last) of <c>p_aux</c> and comm_d the last 32 bytes of
/// tree-d (Lotus commitment.PAuxCommR, commitment.TreeDCommD).
/// </summary>
public sealed partial class ExternalPreCommit2(string command, ILogger logger)
{
    /// <summary>The command line given to <c>sh -c</c>.</summary>
    public string Command { get; } = command;

    /// <summary>Lotus's variables for the command: sector number and miner id in decimal, proof type as its number, sector size in bytes, paths, and the PreCommit1Out bytes as standard base64.</summary>
    public static IReadOnlyDictionary<string, string> Environment(SectorRef sector, ulong sectorSize, string cache, string sealedPath, byte[] preCommit1Out)
    {
        ArgumentNullException.ThrowIfNull(preCommit1Out);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["EXTSEAL_PC2_SECTOR_NUM"] = sector.ID.Number.ToString(CultureInfo.InvariantCulture),
            ["EXTSEAL_PC2_SECTOR_MINER"] = sector.ID.Miner.ToString(CultureInfo.InvariantCulture),
            ["EXTSEAL_PC2_PROOF_TYPE"] = ((long)sector.ProofType).ToString(CultureInfo.InvariantCulture),
            ["EXTSEAL_PC2_SECTOR_SIZE"] = sectorSize.ToString(CultureInfo.InvariantCulture),
            ["EXTSEAL_PC2_CACHE"] = cache,
            ["EXTSEAL_PC2_SEALED"] = sealedPath,
            ["EXTSEAL_PC2_PC1OUT"] = Convert.ToBase64String(preCommit1Out),
        };
    }

    /// <summary>Runs the command for the sector and returns the CIDs read back from its cache.</summary>
    /// <exception cref="ProofsException">The sealed file is not the sector's size, the command failed, or its outputs are missing or damaged.</exception>
    public async Task<SectorCids> RunAsync(SectorRef sector, byte[] preCommit1Out, string cache, string sealedPath, CancellationToken ct)
    {
        var name = sector.ID.ToSectorName();
        var sectorSize = SealProofInfo.Get(sector.ProofType).SectorSize;
        var sealedLength = File.Exists(sealedPath) ? new FileInfo(sealedPath).Length : -1;
        if (sealedLength != (long)sectorSize)
        {
            throw new ProofsException($"sector {name}: the sealed file {sealedPath} is {(sealedLength < 0 ? "missing" : $"{sealedLength} bytes")}, expected the {sectorSize}-byte copy of the data PreCommit1 writes; run PreCommit1 again");
        }

        var environment = Environment(sector, sectorSize, cache, sealedPath, preCommit1Out);
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Command);
        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        LogRunning(logger, name, Command);
        using var process = Process.Start(start) ?? throw new ProofsException($"sector {name}: could not start the external PC2 command");
        await using (ct.Register(() => Kill(process)))
        {
            try
            {
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        if (process.ExitCode != 0)
        {
            throw new ProofsException($"presealing sector (extern-pc2) {name}: external command error: exit status {process.ExitCode}");
        }

        return ReadCids(name, cache);
    }

    /// <summary>comm_r from <c>p_aux</c> and comm_d from tree-d, as Lotus reads them after the command.</summary>
    /// <exception cref="ProofsException">A file is missing or damaged.</exception>
    public static SectorCids ReadCids(string sectorName, string cache)
    {
        PersistentAux aux;
        try
        {
            aux = PersistentAux.Read(cache);
        }
        catch (ProofsException e)
        {
            throw new ProofsException($"sector {sectorName}: reading p_aux after the external PC2 command: {e.Message}", e);
        }

        var commR = PoseidonHash.Hash2(Fr.FromBytes(aux.CommC), Fr.FromBytes(aux.CommRLast)).ToBytes();
        var treeD = CacheFiles.TreeD(cache);
        var commD = new byte[32];
        try
        {
            using var file = File.OpenHandle(treeD);
            var length = RandomAccess.GetLength(file);
            if (length < commD.Length || RandomAccess.Read(file, commD, length - commD.Length) != commD.Length)
            {
                throw new ProofsException($"sector {sectorName}: {treeD} is {length} bytes, too short to hold comm_d");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProofsException($"sector {sectorName}: reading CommD from tree-d: {e.Message}", e);
        }

        return new SectorCids(ProofsMapping.UnsealedCid(commD), ProofsMapping.SealedCid(commR));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [LoggerMessage(EventId = 7300, EventName = "ExternalPreCommit2Running", Level = LogLevel.Information, Message = "Sector {Sector}: running the external PreCommit2 command: {Command}")]
    private static partial void LogRunning(ILogger logger, string sector, string command);
}
