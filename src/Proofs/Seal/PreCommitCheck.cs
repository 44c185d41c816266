using System.Security.Cryptography;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Seal;

/// <summary>
/// The check Lotus runs after PreCommit2 (storage/sealer/ffiwrapper/sealer_cgo.go <c>SealPreCommit2</c>,
/// <c>PC2CheckRounds</c> = 3): when the PreCommit1Out carries the ticket (<c>_lotus_SealRandomness</c>), Commit1 runs
/// with <see cref="Rounds"/> random seeds over the sector as one sector-sized piece of comm_d; Kiln's Commit1 verifies
/// every vanilla proof it makes, so a damaged replica or tree at a challenged node fails the check.
/// </summary>
public static class PreCommitCheck
{
    /// <summary>Lotus PC2CheckRounds.</summary>
    public const int Rounds = 3;

    /// <summary>
    /// Runs the check. Returns false when there is nothing to check with: no ticket in the PreCommit1Out, or a synthetic
    /// or non-interactive proof, whose Commit1 Kiln does not make. <paramref name="seeds"/> gives each round's seed
    /// (32 random bytes when null).
    /// </summary>
    /// <exception cref="ProofsException">"checking PreCommit failed: …": a round's Commit1 failed.</exception>
    public static bool Run(PreCommit1Output pc1, PreCommit2Output pc2, string cacheDir, string sealedPath, ulong minerId, ulong sectorNumber, Func<int, byte[]>? seeds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pc1);
        ArgumentNullException.ThrowIfNull(pc2);
        var proof = pc2.Proof;
        if (pc1.Ticket is not { } ticket || proof.Features != SealProofFeatures.None)
        {
            return false;
        }

        var pieces = new[] { new PieceCommitment(new PaddedPieceSize(proof.SectorSize), new Commitment(pc2.CommD)) };
        var proverId = ProverId.FromActorId(minerId);
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seed = seeds?.Invoke(round) ?? RandomNumberGenerator.GetBytes(32);
            var request = new Commit1Request(proof, cacheDir, sealedPath, proverId, sectorNumber, ticket, seed, pc2.CommR, pc2.CommD, pieces);
            try
            {
                Commit1.Run(request, cancellationToken);
            }
            catch (ProofsException e)
            {
                throw new ProofsException(
                    $"checking PreCommit failed: {e.Message} (sector s-t0{minerId}-{sectorNumber}, ticket {Convert.ToHexStringLower(ticket)}, seed {Convert.ToHexStringLower(seed)}, sealed {pc2.SealedCid}, unsealed {pc2.UnsealedCid})",
                    e);
            }
        }

        return true;
    }

    /// <summary>Runs <see cref="Run"/> on a thread of its own.</summary>
    public static Task<bool> RunAsync(PreCommit1Output pc1, PreCommit2Output pc2, string cacheDir, string sealedPath, ulong minerId, ulong sectorNumber, CancellationToken cancellationToken = default)
        => Task.Factory.StartNew(
            () => Run(pc1, pc2, cacheDir, sealedPath, minerId, sectorNumber, null, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
}
