using System.Collections.Concurrent;
using System.Security.Cryptography;
using Kiln.Proofs.PoSt;
using Kiln.Stores.PoSt;

namespace Kiln.Miner.Proving;

/// <summary>
/// Lotus storage/sealer/faults.go CheckProvable: a sector is bad (with the reason) unless kiln-miner proves it (it is
/// Proving, with its sealed CID) and its vanilla proof for fresh random challenges reads within
/// <see cref="ProvingOptions.SingleCheckTimeout"/>, through the same readers a Window PoSt uses (local paths, else a
/// holder's <c>/remote/vanilla/single</c>), at most <see cref="ProvingOptions.ParallelCheckLimit"/> at once. Serves
/// <c>proving check</c> and the fault and recovery declarations ahead of each deadline.
/// </summary>
public sealed class SectorChecker(IVanillaSource vanillas, ProvingOptions options, ulong minerId)
{
    /// <summary>The bad ones of <paramref name="sectors"/> by number, with why; <paramref name="held"/> are the sectors this miner proves.</summary>
    public async Task<IReadOnlyDictionary<ulong, string>> CheckAsync(IEnumerable<ulong> sectors, IReadOnlyList<ProvingSector> held, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        ArgumentNullException.ThrowIfNull(held);
        var known = held.DistinctBy(s => s.Number).ToDictionary(s => s.Number);
        var randomness = RandomNumberGenerator.GetBytes(32);
        randomness[31] &= 0x3f; // a field element, as a chain's PoSt randomness is once masked
        var bad = new ConcurrentDictionary<ulong, string>();
        using var gate = new SemaphoreSlim(options.ParallelCheckLimit);
        await Task.WhenAll(sectors.Distinct().Select(async n =>
        {
            if (!known.TryGetValue(n, out var sector))
            {
                bad[n] = "not a Proving sector of this miner: kiln-miner holds no sealed CID for it";
                return;
            }

            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var proof = PoStInputs.ProofFor([sector], PoStType.Window);
                var challenge = PoStInputs.Challenges(proof, randomness, [sector]).Single();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(options.SingleCheckTimeout);
                var vanilla = await vanillas.ReadAsync(minerId, proof.Proof, challenge, timeout.Token).ConfigureAwait(false);
                if (vanilla is not { Length: > 0 })
                {
                    bad[n] = "its vanilla proof came back empty";
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                bad[n] = $"reading its vanilla proof took longer than {options.SingleCheckTimeout}";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                bad[n] = e.Message;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return bad;
    }
}
