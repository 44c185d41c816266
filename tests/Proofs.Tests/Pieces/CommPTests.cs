using Kiln.Api.IO;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.Pieces;

namespace Kiln.Proofs.Tests.Pieces;

public class CommPTests
{
    [Theory]
    [InlineData(0xCC, 96, 128, "baga6ea4seaqhwcjhi4krhl3ht6dewnwevkpxbepxy7p7onwgz65t52typbsysby", "7b0927471513af679f864b36c4aa9f7091f7c7dff736c6cfbb3eea7878658907")]
    [InlineData(0xCC, 126, 128, "baga6ea4seaqapbh46gdnszvb7fcinevsy5bzg3b4higkh7groptswf6zas6jamy", "0784fcf186d966a1f9448692b2c743936c3c3a0ca3fcd173e72b17d904bc9033")]
    [InlineData(0xCC, 127, 128, "baga6ea4seaqmfldjtozgne6adk7eve2vdxte7vzlivae7nzsbrawobo546zkijq", "c2ac699bb26693c01abe4a93551de64fd72b45404fb7320c416705dde7b2a426")]
    [InlineData(0xCC, 192, 256, "baga6ea4seaqkx7m2s6r4zahtlbwrs5ryvemkclwfp7nijopdd5swpdnxzjf7wkq", "abfd9a97a3cc80f3586d197638a918a12ec57fda84b9e31f65678db7ca4bfb2a")]
    [InlineData(0xCC, 253, 256, "baga6ea4seaql6ldbyafhiecr36xba5tufreyo4km2ts3lfknhl2zogp3aztxijy", "bf2c61c00a741051dfae1076742c4987714cd4e5b5954d3af59719fb06677427")]
    [InlineData(0xCC, 254, 256, "baga6ea4seaqkixbzz75uys2pcjbrbdilgjhmum72qm4xphrwav2iyel5oat4aka", "a45c39cffb4c4b4f1243108d0b324eca33fa8339779e3605748c117d7027c028")]
    [InlineData(0xCC, 255, 512, "baga6ea4seaqg7celu5y2iwbi2ra5koygvotxtzr5lj6vzvxi6gfub6mpa6niwpi", "6f888ba771a45828d441d53b06aba779e63d5a7d5cd6e8f18b40f98f079a8b3d")]
    [InlineData(0xCC, 256, 512, "baga6ea4seaqi7c3dnwkqysqh4lpkz5jaxz2d2f5bvo3ttu2hnfmdewhcoji56na", "8f8b636d950c4a07e2deacf520be743d17a1abb739d34769583258e27251df34")]
    [InlineData(0xCC, 384, 512, "baga6ea4seaqhexlmnzbarsbdbdahs7e36dkq5vkdwsrttehoakrif5wiqme36lq", "725d6c6e4208c82308c0797c9bf0d50ed543b4a33990ee02a282f6c88309bf2e")]
    [InlineData(0xCC, 507, 512, "baga6ea4seaqenvh5mcy5cjqwsbubbpczprkk2onwvfjd2743zkqh6ofuzkatwey", "46d4fd60b1d12616906810bc597c54ad39b6a9523d7f9bcaa07f38b4ca813b13")]
    [InlineData(0xCC, 508, 512, "baga6ea4seaqb6ckbupixkhwp7thgb52f4en222boppajkqk7gaomkpof3lh4cei", "1f0941a3d1751ecffcce60f745e11bad682e7bc095415f301cc53dc5dacfc111")]
    [InlineData(0xCC, 509, 1024, "baga6ea4seaqdzbeaexq6gpbqh2tlnbz5mm5neap2kejsketkogzd6x2dx7dzkii", "3c848025e1e33c303ea6b6873d633ad201fa511325126a71b23f5f43bfc79521")]
    [InlineData(0xCC, 512, 1024, "baga6ea4seaqojaa522sjqms2wipasjbxnjgytunsgp52tgrfcofj73f7q7ou6hy", "e4801dd6a498325ab21e0924376a4d89d1b233fba99a25138a9fecbf87dd4f1f")]
    [InlineData(0xCC, 768, 1024, "baga6ea4seaqb6xvxaybzp6vslujjiwvgt23ckrwt7y53eddy5qmc6csnc37lwpi", "1f5eb7060397fab25d12945aa69eb62546d3fe3bb20c78ec182f0a4d16febb3d")]
    [InlineData(0xCC, 1015, 1024, "baga6ea4seaqmgiyjcutwgo6glks2mogixs6mb4sbehto6uzienucfx23wbtkica", "c323091527633bc65aa5a638c8bcbcc0f24121e6ef5328236822df5bb066a408")]
    [InlineData(0xCC, 1016, 1024, "baga6ea4seaqjxgfdkdu37aryhg7bqqiwizj5f6ugasftgeocabwnj4cxkgisaoq", "9b98a350e9bf823839be1841164653d2fa86048b3311c2006cd4f0575191203a")]
    [InlineData(0xCC, 1017, 2048, "baga6ea4seaqf3n5ob5qonkwnxfcbjzftsagbnrjfzualqvzhcylz46b7sgz6wmi", "5db7ae0f60e6aacdb94414e4b3900c16c525cd00b8572716179e783f91b3eb31")]
    [InlineData(0xCC, 1024, 2048, "baga6ea4seaqdlpnhgsndrgjeu4p46hahlsr4lybg6du4d56ooppdpxhcofxeuoi", "35bda7349a389924a71fcf1c075ca3c5e026f0e9c1f7ce73de37dce2716e4a39")]
    [InlineData(0x00, 96, 128, "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy", "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333")]
    [InlineData(0x00, 126, 128, "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy", "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333")]
    [InlineData(0x00, 127, 128, "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy", "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333")]
    [InlineData(0x00, 192, 256, "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy", "642a607ef886b004bf2c1978463ae1d4693ac0f410eb2d1b7a47fe205e5e750f")]
    [InlineData(0x00, 253, 256, "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy", "642a607ef886b004bf2c1978463ae1d4693ac0f410eb2d1b7a47fe205e5e750f")]
    [InlineData(0x00, 254, 256, "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy", "642a607ef886b004bf2c1978463ae1d4693ac0f410eb2d1b7a47fe205e5e750f")]
    [InlineData(0x00, 255, 512, "baga6ea4seaqfpirydiugkk7up5v666wkm6n6jlw6lby2wxht5mwaqekerdfykjq", "57a2381a28652bf47f6bef7aca679be4aede5871ab5cf3eb2c08114488cb8526")]
    [InlineData(0x00, 256, 512, "baga6ea4seaqfpirydiugkk7up5v666wkm6n6jlw6lby2wxht5mwaqekerdfykjq", "57a2381a28652bf47f6bef7aca679be4aede5871ab5cf3eb2c08114488cb8526")]
    [InlineData(0x00, 384, 512, "baga6ea4seaqfpirydiugkk7up5v666wkm6n6jlw6lby2wxht5mwaqekerdfykjq", "57a2381a28652bf47f6bef7aca679be4aede5871ab5cf3eb2c08114488cb8526")]
    [InlineData(0x00, 507, 512, "baga6ea4seaqfpirydiugkk7up5v666wkm6n6jlw6lby2wxht5mwaqekerdfykjq", "57a2381a28652bf47f6bef7aca679be4aede5871ab5cf3eb2c08114488cb8526")]
    [InlineData(0x00, 508, 512, "baga6ea4seaqfpirydiugkk7up5v666wkm6n6jlw6lby2wxht5mwaqekerdfykjq", "57a2381a28652bf47f6bef7aca679be4aede5871ab5cf3eb2c08114488cb8526")]
    [InlineData(0x00, 509, 1024, "baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly", "1f7ac9595510e09ea41c460b176430bb322cd6fb412ec57cb17d989a4310372f")]
    [InlineData(0x00, 512, 1024, "baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly", "1f7ac9595510e09ea41c460b176430bb322cd6fb412ec57cb17d989a4310372f")]
    [InlineData(0x00, 768, 1024, "baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly", "1f7ac9595510e09ea41c460b176430bb322cd6fb412ec57cb17d989a4310372f")]
    [InlineData(0x00, 1015, 1024, "baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly", "1f7ac9595510e09ea41c460b176430bb322cd6fb412ec57cb17d989a4310372f")]
    [InlineData(0x00, 1016, 1024, "baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly", "1f7ac9595510e09ea41c460b176430bb322cd6fb412ec57cb17d989a4310372f")]
    [InlineData(0x00, 1017, 2048, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833")]
    [InlineData(0x00, 1024, 2048, "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833")]
    public void Calculator_matches_hashhash_vectors(byte fill, int payload, ulong padded, string pieceCid, string commHex)
    {
        using var calc = new CommPCalculator();
        var data = Enumerable.Repeat(fill, payload).ToArray();
        // Feed in uneven slices so block staging is exercised.
        for (var i = 0; i < data.Length; i += 37)
        {
            calc.Write(data.AsSpan(i, Math.Min(37, data.Length - i)));
        }

        var (commP, size) = calc.Digest();

        Assert.Equal(commHex, Convert.ToHexStringLower(commP));
        Assert.Equal(padded, size.Value);
        Assert.Equal(pieceCid, CommCid.ToPieceCid(commP));
    }

    [Theory]
    [InlineData(508, 512UL, "496dae0cc9e265efe5a006e80626a5dc5c409e5d3155c13984caf6c8d5cfd605")]
    [InlineData(1016, 1024UL, "de6815dcb348843215a94de532954b60be550a4bec6e74555665e9a5ec4e0f3c")]
    [InlineData(512, 1024UL, "de6815dcb348843215a94de532954b60be550a4bec6e74555665e9a5ec4e0f3c")]
    public void Calculator_matches_commcid_fixtures(int payload, ulong padded, string commHex)
    {
        var data = new byte[payload];
        for (var i = 0; i < 508; i++)
        {
            data[i] = (byte)(i / 127);
        }

        using var calc = new CommPCalculator();
        calc.Write(data);
        var (commP, size) = calc.Digest();

        Assert.Equal(commHex, Convert.ToHexStringLower(commP));
        Assert.Equal(padded, size.Value);
    }

    [Fact]
    public async Task ComputeAsync_of_a_full_piece_equals_the_calculator()
    {
        var data = new byte[127 * 64];
        new Random(9).NextBytes(data);
        using var calc = new CommPCalculator();
        calc.Write(data);
        var (expected, _) = calc.Digest();

        var actual = await CommP.ComputeAsync(new MemoryStream(data), new UnpaddedPieceSize((ulong)data.Length), CancellationToken.None);

        Assert.Equal(expected, actual);
        Assert.Equal(expected, CommP.Compute(data));
    }

    [Fact]
    public async Task ComputeAsync_of_508_bytes_matches_commcid_fixture()
    {
        var data = new byte[508];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i / 127);
        }

        var comm = await CommP.ComputeAsync(new MemoryStream(data), new UnpaddedPieceSize(508), CancellationToken.None);

        Assert.Equal("baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi", CommCid.ToPieceCid(comm));
    }

    [Fact]
    public async Task ComputeAsync_reads_only_the_declared_size()
    {
        var data = new byte[127 * 4 + 50];
        data[^1] = 0xff;
        var stream = new MemoryStream(data);

        var comm = await CommP.ComputeAsync(stream, new UnpaddedPieceSize(508), CancellationToken.None);

        Assert.Equal(ZeroComm.GetSpan(4).ToArray(), comm);
        Assert.Equal(508, stream.Position);
    }

    [Fact]
    public async Task ComputeAsync_rejects_short_data()
    {
        var e = await Assert.ThrowsAsync<ProofsException>(
            () => CommP.ComputeAsync(new MemoryStream(new byte[1000]), new UnpaddedPieceSize(1016), CancellationToken.None));

        Assert.Equal("data shorter than declared: got 1000 of 1016 bytes", e.Message);
    }

    [Fact]
    public async Task ComputeAsync_rejects_invalid_sizes()
    {
        var e = await Assert.ThrowsAsync<ProofsException>(
            () => CommP.ComputeAsync(new MemoryStream(new byte[1000]), new UnpaddedPieceSize(1000), CancellationToken.None));

        Assert.Equal("piece size 1000 is not 127·2^k", e.Message);
    }

    [Fact]
    public async Task ComputeAsync_streams_a_gibibyte_in_bounded_memory()
    {
        const ulong padded = 1UL << 30;
        var size = new PaddedPieceSize(padded).Unpadded();
        var source = new ZeroStream((long)size.Value);

        // Warm up the code paths (JIT, static tables) so only the streaming itself is measured.
        await CommP.ComputeAsync(new ZeroStream(127 * 8), new UnpaddedPieceSize(127 * 8), CancellationToken.None);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var comm = await CommP.ComputeAsync(source, size, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ZeroComm.GetSpan(25).ToArray(), comm);
        Assert.Equal((long)size.Value, source.Position);
        // A GC-allocated input or chunk would be at least 1 MiB; what remains is per-call bookkeeping.
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes while hashing 1 GiB");
    }

    [Fact]
    public void Calculator_rejects_payloads_below_65_bytes()
    {
        using var calc = new CommPCalculator();
        calc.Write(new byte[64]);

        var e = Assert.Throws<ProofsException>(() => calc.Digest());
        Assert.Contains("65 bytes", e.Message, StringComparison.Ordinal);

        calc.Write(new byte[1]);
        var (commP, size) = calc.Digest();
        Assert.Equal(ZeroComm.GetSpan(2).ToArray(), commP);
        Assert.Equal(128UL, size.Value);
    }

    [Fact]
    public void Calculator_can_be_reset()
    {
        using var calc = new CommPCalculator();
        calc.Write(Enumerable.Repeat((byte)0xCC, 127).ToArray());
        var first = calc.Digest().CommP;
        Assert.Throws<InvalidOperationException>(() => calc.Write(new byte[1]));

        calc.Reset();
        calc.Write(Enumerable.Repeat((byte)0xCC, 127).ToArray());

        Assert.Equal(first, calc.Digest().CommP);
        Assert.Equal("c2ac699bb26693c01abe4a93551de64fd72b45404fb7320c416705dde7b2a426", Convert.ToHexStringLower(first));
    }

    [Fact]
    public void Calculator_over_several_mebibytes_matches_the_tree_of_the_padded_data()
    {
        // 3 MiB + a bit of padded data crosses chunk boundaries and leaves a partial chunk.
        var data = new byte[(127 * 8192 * 3) + 1000];
        new Random(11).NextBytes(data);
        using var calc = new CommPCalculator();
        calc.Write(data.AsSpan(0, 12345));
        calc.Write(data.AsSpan(12345));
        var (commP, size) = calc.Digest();

        var quads = (data.Length + 126) / 127;
        var extended = new byte[quads * 127];
        data.CopyTo(extended, 0);
        var paddedData = new byte[quads * 128];
        Kiln.Proofs.Fr32.Fr32Padding.Pad(extended, paddedData);

        Assert.Equal(4UL << 20, size.Value);
        Assert.Equal(TreeRoot.Of(paddedData, size.Value), commP);
    }

    [Fact]
    public void PadCommP_extends_with_zero_subtrees()
    {
        var z4 = ZeroComm.GetSpan(4).ToArray();

        Assert.Equal(ZeroComm.GetSpan(6).ToArray(), CommP.PadCommP(z4, 512, 2048));
        Assert.Equal(z4, CommP.PadCommP(z4, 512, 512));
        Assert.Throws<ProofsException>(() => CommP.PadCommP(z4, 512, 256));
        Assert.Throws<ProofsException>(() => CommP.PadCommP(z4, 500, 1024));
    }

    /// <summary>Supplies zeros without holding them; reads complete synchronously.</summary>
    private sealed class ZeroStream(long length) : ForwardReadStream
    {
        private long _position;

        public override long Length => length;

        public override long Position => _position;

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            buffer[..n].Clear();
            _position += n;
            return n;
        }
    }
}
