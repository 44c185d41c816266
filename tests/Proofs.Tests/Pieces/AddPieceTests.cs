using Kiln.Proofs.Fr32;
using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public sealed class AddPieceTests : IDisposable
{
    private const ulong SectorSize = 8192;
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-addpiece-").FullName;

    private string SectorPath => Path.Combine(_dir, "unsealed");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Zero_piece_in_a_2KiB_sector_gives_the_upstream_cid()
    {
        var result = await AddPiece.WriteAsync(SectorPath, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(new byte[2032]), CancellationToken.None);

        Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", result.Piece.PieceCid);
        Assert.Equal(2048UL, result.Piece.Size.Value);
        Assert.Equal(2032UL, result.BytesRead);
        // Lotus partial file: 2048 data bytes, the 3-byte RLE+ trailer {0..2048}, its u32 length.
        Assert.Equal(2048L + 3 + 4, new FileInfo(SectorPath).Length);
        Assert.Equal([(0UL, 2048UL)], Allocated(2048));
    }

    private List<(ulong Offset, ulong Size)> Allocated(ulong sectorSize = SectorSize)
    {
        using var h = File.OpenHandle(SectorPath);
        return PartialFile.ReadAllocated(h, sectorSize);
    }

    [Fact]
    public async Task Pieces_and_fillers_fill_a_sector_whose_tree_root_is_comm_d()
    {
        var rng = new Random(17);
        var a = RandomBytes(rng, 127);
        var b = RandomBytes(rng, 1016);
        var c = RandomBytes(rng, 508);

        var written = new List<UnpaddedPieceSize>();
        var pieces = new List<PieceCommitment>();
        var dataPieces = new List<PieceCommitment>();
        var expectedData = new byte[SectorSize / 128 * 127];

        async Task Add(byte[]? data, PaddedPieceSize size)
        {
            var unpadded = size.Unpadded();
            var offset = written.Sum(p => (long)p.Value);
            var result = await AddPiece.WriteAsync(SectorPath, SectorSize, written, unpadded, new MemoryStream(data ?? new byte[unpadded.Value]), CancellationToken.None);
            Assert.Equal((ulong)offset / 127 * 128, result.PaddedOffset);
            Assert.Equal(unpadded.Value, result.BytesRead);
            Assert.Equal(await CommP.ComputeAsync(new MemoryStream(data ?? new byte[unpadded.Value]), unpadded, CancellationToken.None), result.Piece.Commitment.ToArray());
            data?.CopyTo(expectedData, offset);
            written.Add(unpadded);
            pieces.Add(result);
            if (data is not null)
            {
                dataPieces.Add(result);
            }
        }

        await Add(a, new PaddedPieceSize(128));
        foreach (var pad in AddPiece.GetRequiredPadding(new PaddedPieceSize(128), new PaddedPieceSize(1024)))
        {
            await Add(null, pad);
        }

        await Add(b, new PaddedPieceSize(1024));
        await Add(c, new PaddedPieceSize(512));
        var sum = pieces.Aggregate(0UL, (s, p) => s + p.Size.Value);
        foreach (var pad in AddPiece.GetRequiredPadding(new PaddedPieceSize(sum), new PaddedPieceSize(SectorSize)))
        {
            await Add(null, pad);
        }

        // 128 data, fillers 128+256+512, 1024 data, 512 data, fillers 512+1024+4096.
        Assert.Equal(new ulong[] { 128, 128, 256, 512, 1024, 512, 512, 1024, 4096 }, pieces.Select(p => p.Size.Value).ToArray());
        var file = (await File.ReadAllBytesAsync(SectorPath))[..(int)SectorSize];
        Assert.Equal([(0UL, SectorSize)], Allocated());

        var unpaddedFile = new byte[expectedData.Length];
        Fr32Padding.Unpad(file, unpaddedFile);
        Assert.Equal(expectedData, unpaddedFile);

        var root = TreeRoot.Of(file, SectorSize);
        Assert.Equal(root, CommD.Compute(SectorSize, pieces));
        Assert.Equal(root, CommD.ComputeUnsealed(SectorSize, pieces));
        // Lotus inserts the same fillers itself when given only the data pieces.
        Assert.Equal(root, CommD.ComputeUnsealed(SectorSize, dataPieces));
    }

    [Fact]
    public async Task Adding_a_piece_never_touches_earlier_pieces()
    {
        var first = RandomBytes(new Random(1), 1016);
        await AddPiece.WriteAsync(SectorPath, SectorSize, [], new UnpaddedPieceSize(1016), new MemoryStream(first), CancellationToken.None);
        var before = (await File.ReadAllBytesAsync(SectorPath))[..1024];

        var second = RandomBytes(new Random(2), 1016);
        await AddPiece.WriteAsync(SectorPath, SectorSize, [new UnpaddedPieceSize(1016)], new UnpaddedPieceSize(1016), new MemoryStream(second), CancellationToken.None);
        var after = await File.ReadAllBytesAsync(SectorPath);

        Assert.Equal(before, after[..1024]);
        var unpadded = new byte[1016];
        Fr32Padding.Unpad(after.AsSpan(1024, 1024), unpadded);
        Assert.Equal(second, unpadded);
        Assert.All(after[2048..(int)SectorSize], b => Assert.Equal(0, b));
        Assert.Equal([(0UL, 2048UL)], Allocated());
    }

    [Fact]
    public async Task Short_source_leaves_zeros_and_zero_pads_the_commitment()
    {
        var data = RandomBytes(new Random(3), 300);
        var result = await AddPiece.WriteAsync(SectorPath, SectorSize, [], new UnpaddedPieceSize(1016), new MemoryStream(data), CancellationToken.None);

        var full = new byte[1016];
        data.CopyTo(full, 0);
        Assert.Equal(300UL, result.BytesRead);
        Assert.Equal(CommP.Compute(full), result.Piece.Commitment.ToArray());
        PieceCommitment info = result;
        Assert.Equal(1024UL, info.Size.Value);

        var file = await File.ReadAllBytesAsync(SectorPath);
        var unpadded = new byte[1016];
        Fr32Padding.Unpad(file.AsSpan(0, 1024), unpadded);
        Assert.Equal(full, unpadded);
    }

    [Fact]
    public async Task Piece_larger_than_one_chunk_is_written_and_committed()
    {
        // 2 MiB padded: two hashing chunks.
        var size = new PaddedPieceSize(2UL << 20).Unpadded();
        var data = RandomBytes(new Random(4), (int)size.Value);

        var result = await AddPiece.WriteAsync(SectorPath, 4UL << 20, [], size, new MemoryStream(data), CancellationToken.None);

        var file = await File.ReadAllBytesAsync(SectorPath);
        Assert.Equal(TreeRoot.Of(file.AsSpan(0, 2 << 20), 2UL << 20), result.Piece.Commitment.ToArray());
        Assert.Equal(CommP.Compute(data), result.Piece.Commitment.ToArray());
    }

    [Fact]
    public async Task Bad_sizes_are_rejected_before_anything_is_written()
    {
        var badSize = await Assert.ThrowsAsync<ProofsException>(
            () => AddPiece.WriteAsync(SectorPath, 2048, [], new UnpaddedPieceSize(1000), new MemoryStream(new byte[1000]), CancellationToken.None));
        Assert.Equal("piece size 1000 is not 127·2^k", badSize.Message);

        var tooBig = await Assert.ThrowsAsync<ProofsException>(
            () => AddPiece.WriteAsync(SectorPath, 2048, [], new UnpaddedPieceSize(4064), new MemoryStream(new byte[4064]), CancellationToken.None));
        Assert.Contains("can't add 4064 byte piece", tooBig.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(SectorPath));

        var noFile = await Assert.ThrowsAsync<ProofsException>(
            () => AddPiece.WriteAsync(SectorPath, 2048, [new UnpaddedPieceSize(127)], new UnpaddedPieceSize(127), new MemoryStream(new byte[127]), CancellationToken.None));
        Assert.Contains("does not exist", noFile.Message, StringComparison.Ordinal);

        await AddPiece.WriteAsync(SectorPath, 2048, [], new UnpaddedPieceSize(1016), new MemoryStream(new byte[1016]), CancellationToken.None);
        var full = await Assert.ThrowsAsync<ProofsException>(
            () => AddPiece.WriteAsync(SectorPath, 2048, [new UnpaddedPieceSize(1016), new UnpaddedPieceSize(508)], new UnpaddedPieceSize(1016), new MemoryStream(new byte[1016]), CancellationToken.None));
        Assert.Contains("can't add 1016 byte piece", full.Message, StringComparison.Ordinal);
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }
}
