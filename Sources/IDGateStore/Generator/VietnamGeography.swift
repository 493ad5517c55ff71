/// Provinces (with their ID-number codes), districts and wards for synthetic addresses; real names, a sample of
/// each: the administrative units before the 2025 reorganization (as printed on cards issued until June 2025), each
/// with the unit it became on 1 July 2025 (the new province, and the new commune; no district level since).
struct Province: Sendable {
    let code: Int
    let name: String
    /// The province this one is part of since 1 July 2025 (often itself).
    let newName: String
    /// Population weight (millions).
    let weight: Double
    /// Wards and communes with the new commune each became (the first, for one split between several).
    let districts: [(name: String, wards: [(old: String, new: String)])]
    /// Share (percent) of ethnic minorities registered there; the rest are Kinh.
    let minorities: [(String, Double)]

    /// Southern provinces use the southern family-name variants (Huỳnh, Võ).
    var isSouthern: Bool { code >= 48 }
}

enum VietnamGeography {
    /// `code|name>new name|weight|district:ward>new ward,ward>new ward;district:…|minority:percent,…`; the new units
    /// are those of the vn-admin-2025 data set (docs/MATCHING.md, "Administrative units").
    private static let table = """
        001|Thành phố Hà Nội>Thành phố Hà Nội|8.4|Quận Cầu Giấy:Phường Dịch Vọng>Phường Nghĩa Đô,Phường Nghĩa Tân>Phường Nghĩa Đô,Phường Nghĩa Đô>Phường Ngọc Hà;Quận Hoàn Kiếm:Phường Hàng Bạc>Phường Hoàn Kiếm,Phường Tràng Tiền>Phường Hoàn Kiếm,Phường Lý Thái Tổ>Phường Hoàn Kiếm;Quận Đống Đa:Phường Láng Thượng>Phường Láng,Phường Ô Chợ Dừa>Phường Ô Chợ Dừa,Phường Kim Liên>Phường Kim Liên;Huyện Thanh Oai:Xã Tam Hưng>Xã Tam Hưng,Xã Bích Hòa>Xã Bình Minh,Xã Cự Khê>Phường Phú Lương;Huyện Sóc Sơn:Xã Phù Linh>Xã Sóc Sơn,Xã Mai Đình>Xã Sóc Sơn|Mường:0.5
        079|Thành phố Hồ Chí Minh>Thành phố Hồ Chí Minh|9.4|Quận 1:Phường Bến Nghé>Phường Sài Gòn,Phường Bến Thành>Phường Bến Thành,Phường Đa Kao>Phường Tân Định;Quận Bình Thạnh:Phường 25>Phường Thạnh Mỹ Tây,Phường 22>Phường Thạnh Mỹ Tây,Phường 13>Phường Bình Lợi Trung;Thành phố Thủ Đức:Phường Linh Trung>Phường Linh Xuân,Phường Hiệp Bình Chánh>Phường Hiệp Bình,Phường Thảo Điền>Phường An Khánh;Quận Gò Vấp:Phường 5>Phường An Nhơn,Phường 17>Phường Gò Vấp;Huyện Củ Chi:Xã Tân Thạnh Đông>Xã Phú Hòa Đông,Xã Phước Vĩnh An>Xã Củ Chi|Hoa:4,Khmer:0.5
        031|Thành phố Hải Phòng>Thành phố Hải Phòng|2.1|Quận Lê Chân:Phường An Biên>Phường Lê Chân,Phường Trần Nguyên Hãn>Phường Lê Chân;Huyện An Lão:Thị trấn An Lão>Xã An Lão,Xã Bát Trang>Xã An Trường|
        048|Thành phố Đà Nẵng>Thành phố Đà Nẵng|1.2|Quận Hải Châu:Phường Thạch Thang>Phường Hải Châu,Phường Hòa Cường Bắc>Phường Hòa Cường;Quận Sơn Trà:Phường An Hải Bắc>Phường An Hải,Phường Mân Thái>Phường Sơn Trà;Huyện Hòa Vang:Xã Hòa Phong>Xã Hòa Vang,Xã Hòa Tiến>Xã Hòa Tiến|
        092|Thành phố Cần Thơ>Thành phố Cần Thơ|1.2|Quận Ninh Kiều:Phường Tân An>Phường Ninh Kiều,Phường An Hòa>Phường Cái Khế;Huyện Phong Điền:Xã Nhơn Ái>Xã Nhơn Ái,Xã Mỹ Khánh>Phường An Bình|Khmer:2,Hoa:1
        038|Tỉnh Thanh Hóa>Tỉnh Thanh Hóa|3.7|Thành phố Thanh Hóa:Phường Điện Biên>Phường Hạc Thành,Phường Đông Thọ>Phường Hàm Rồng;Huyện Hoằng Hóa:Xã Hoằng Đạo>Xã Hoằng Hóa,Xã Hoằng Xuân>Xã Hoằng Giang;Huyện Quảng Xương:Xã Quảng Ninh>Xã Quảng Ninh,Xã Quảng Bình>Xã Quảng Bình|Mường:9,Thái:6
        040|Tỉnh Nghệ An>Tỉnh Nghệ An|3.4|Thành phố Vinh:Phường Hưng Bình>Phường Thành Vinh,Phường Đông Vĩnh>Phường Thành Vinh;Huyện Nam Đàn:Xã Kim Liên>Xã Kim Liên,Xã Nam Giang>Xã Kim Liên;Huyện Diễn Châu:Xã Diễn Kỷ>Xã Đức Châu,Xã Diễn Lâm>Xã Hùng Châu|Thái:9,Khơ Mú:1
        042|Tỉnh Hà Tĩnh>Tỉnh Hà Tĩnh|1.3|Thành phố Hà Tĩnh:Phường Bắc Hà>Phường Thành Sen,Phường Nam Hà>Phường Thành Sen;Huyện Can Lộc:Xã Tùng Lộc>Xã Tùng Lộc,Xã Thiên Lộc>Xã Can Lộc|
        036|Tỉnh Nam Định>Tỉnh Ninh Bình|1.9|Thành phố Nam Định:Phường Trần Hưng Đạo>Phường Nam Định,Phường Vị Xuyên>Phường Nam Định;Huyện Hải Hậu:Xã Hải Minh>Xã Hải Anh,Xã Hải Anh>Xã Hải Anh|
        034|Tỉnh Thái Bình>Tỉnh Hưng Yên|1.9|Thành phố Thái Bình:Phường Lê Hồng Phong>Phường Thái Bình,Phường Kỳ Bá>Phường Trần Lãm;Huyện Vũ Thư:Xã Tam Quang>Xã Vũ Thư,Xã Song Lãng>Xã Thư Trì|
        030|Tỉnh Hải Dương>Thành phố Hải Phòng|1.9|Thành phố Hải Dương:Phường Trần Phú>Phường Lê Thanh Nghị,Phường Nguyễn Trãi>Phường Thành Đông;Huyện Cẩm Giàng:Xã Cẩm Hưng>Xã Cẩm Giàng,Xã Tân Trường>Xã Mao Điền|
        027|Tỉnh Bắc Ninh>Tỉnh Bắc Ninh|1.5|Thành phố Bắc Ninh:Phường Suối Hoa>Phường Kinh Bắc,Phường Vũ Ninh>Phường Vũ Ninh;Thành phố Từ Sơn:Phường Đồng Kỵ>Phường Đồng Nguyên,Phường Tân Hồng>Phường Từ Sơn|
        024|Tỉnh Bắc Giang>Tỉnh Bắc Ninh|1.9|Thành phố Bắc Giang:Phường Trần Phú>Phường Bắc Giang,Phường Ngô Quyền>Phường Bắc Giang;Huyện Lục Nam:Xã Bảo Đài>Xã Bảo Đài,Xã Cẩm Lý>Xã Cẩm Lý|Nùng:4,Tày:2,Sán Dìu:1
        022|Tỉnh Quảng Ninh>Tỉnh Quảng Ninh|1.4|Thành phố Hạ Long:Phường Bãi Cháy>Phường Bãi Cháy,Phường Hồng Gai>Phường Hồng Gai;Thành phố Cẩm Phả:Phường Cẩm Trung>Phường Cẩm Phả,Phường Cẩm Thủy>Phường Quang Hanh|Dao:5,Tày:3
        033|Tỉnh Hưng Yên>Tỉnh Hưng Yên|1.3|Thành phố Hưng Yên:Phường Hiến Nam>Phường Phố Hiến,Phường Lê Lợi>Phường Phố Hiến;Huyện Văn Giang:Xã Xuân Quan>Xã Phụng Công,Xã Phụng Công>Xã Phụng Công|
        035|Tỉnh Hà Nam>Tỉnh Ninh Bình|0.9|Thành phố Phủ Lý:Phường Lê Hồng Phong>Phường Phù Vân,Phường Quang Trung>Phường Phủ Lý;Huyện Thanh Liêm:Thị trấn Kiện Khê>Phường Châu Sơn,Xã Liêm Phong>Xã Liêm Hà|
        037|Tỉnh Ninh Bình>Tỉnh Ninh Bình|1.0|Thành phố Tam Điệp:Phường Bắc Sơn>Phường Tam Điệp,Phường Trung Sơn>Phường Trung Sơn;Huyện Nho Quan:Xã Xích Thổ>Xã Gia Lâm,Xã Gia Lâm>Xã Gia Lâm|Mường:2
        026|Tỉnh Vĩnh Phúc>Tỉnh Phú Thọ|1.2|Thành phố Vĩnh Yên:Phường Liên Bảo>Phường Vĩnh Phúc,Phường Đống Đa>Phường Vĩnh Phúc;Huyện Tam Đảo:Xã Đạo Trù>Xã Đạo Trù,Xã Yên Dương>Xã Đạo Trù|Sán Dìu:3
        025|Tỉnh Phú Thọ>Tỉnh Phú Thọ|1.5|Thành phố Việt Trì:Phường Gia Cẩm>Phường Việt Trì,Phường Tiên Cát>Phường Thanh Miếu;Huyện Lâm Thao:Xã Sơn Vi>Xã Phùng Nguyên,Xã Cao Xá>Xã Bản Nguyên|Mường:13,Dao:1
        019|Tỉnh Thái Nguyên>Tỉnh Thái Nguyên|1.3|Thành phố Thái Nguyên:Phường Hoàng Văn Thụ>Phường Phan Đình Phùng,Phường Phan Đình Phùng>Phường Phan Đình Phùng;Huyện Đại Từ:Xã La Bằng>Xã La Bằng,Xã Phúc Lương>Xã Đức Lương|Tày:10,Nùng:5,Dao:2
        020|Tỉnh Lạng Sơn>Tỉnh Lạng Sơn|0.8|Thành phố Lạng Sơn:Phường Chi Lăng>Phường Lương Văn Tri,Phường Vĩnh Trại>Phường Đông Kinh;Huyện Cao Lộc:Xã Hợp Thành>Phường Kỳ Lừa,Xã Thạch Đạn>Xã Cao Lộc|Nùng:42,Tày:35,Dao:3
        010|Tỉnh Lào Cai>Tỉnh Lào Cai|0.75|Thành phố Lào Cai:Phường Cốc Lếu>Phường Lào Cai,Phường Kim Tân>Phường Lào Cai;Thị xã Sa Pa:Phường Sa Pa>Phường Sa Pa,Xã Tả Van>Xã Tả Van|H'Mông:25,Tày:15,Dao:14,Giáy:5
        014|Tỉnh Sơn La>Tỉnh Sơn La|1.3|Thành phố Sơn La:Phường Chiềng Lề>Phường Tô Hiệu,Phường Quyết Thắng>Phường Tô Hiệu;Huyện Quỳnh Nhai:Xã Mường Chiên>Xã Mường Chiên,Xã Cà Nàng>Xã Mường Chiên|Thái:53,H'Mông:16,Mường:7
        002|Tỉnh Hà Giang>Tỉnh Tuyên Quang|0.9|Thành phố Hà Giang:Phường Minh Khai>Phường Hà Giang 2,Phường Nguyễn Trãi>Phường Hà Giang 1;Huyện Đồng Văn:Xã Lũng Cú>Xã Lũng Cú,Xã Sủng Là>Xã Sà Phìn|H'Mông:33,Tày:23,Dao:15,Nùng:9
        004|Tỉnh Cao Bằng>Tỉnh Cao Bằng|0.55|Thành phố Cao Bằng:Phường Hợp Giang>Phường Thục Phán,Phường Sông Bằng>Phường Nùng Trí Cao;Huyện Trùng Khánh:Xã Tri Phương>Xã Quang Trung,Xã Đình Phong>Xã Đình Phong|Tày:41,Nùng:31,H'Mông:11,Dao:10
        046|Tỉnh Thừa Thiên Huế>Thành phố Huế|1.15|Quận Thuận Hóa:Phường Vỹ Dạ>Phường Vỹ Dạ,Phường Vĩnh Ninh>Phường Thuận Hóa;Huyện Phú Vang:Xã Phú Thuận>Phường Thuận An,Xã Phú Diên>Xã Phú Vinh|Tà Ôi:3
        044|Tỉnh Quảng Bình>Tỉnh Quảng Trị|0.9|Thành phố Đồng Hới:Phường Hải Thành>Phường Đồng Hới,Phường Đồng Phú>Phường Đồng Hới;Huyện Bố Trạch:Xã Xuân Trạch>Xã Phong Nha,Xã Hưng Trạch>Xã Bố Trạch|Bru-Vân Kiều:2
        045|Tỉnh Quảng Trị>Tỉnh Quảng Trị|0.65|Thành phố Đông Hà:Phường 1>Phường Đông Hà,Phường 5>Phường Nam Đông Hà;Huyện Hải Lăng:Xã Hải Phú>Xã Hải Lăng,Xã Hải Thượng>Xã Hải Lăng|Bru-Vân Kiều:9,Tà Ôi:3
        049|Tỉnh Quảng Nam>Thành phố Đà Nẵng|1.5|Thành phố Hội An:Phường Minh An>Phường Hội An,Phường Cẩm Phô>Phường Hội An;Thành phố Tam Kỳ:Phường An Mỹ>Phường Tam Kỳ,Phường Hòa Hương>Phường Hương Trà|Cơ Tu:3,Xơ Đăng:3
        051|Tỉnh Quảng Ngãi>Tỉnh Quảng Ngãi|1.25|Thành phố Quảng Ngãi:Phường Trần Phú>Phường Nghĩa Lộ,Phường Lê Hồng Phong>Phường Nghĩa Lộ;Huyện Sơn Tịnh:Xã Tịnh Thọ>Xã Thọ Phong,Xã Tịnh Bắc>Xã Ba Gia|Hrê:10,Co:2
        052|Tỉnh Bình Định>Tỉnh Gia Lai|1.5|Thành phố Quy Nhơn:Phường Nhơn Bình>Phường Quy Nhơn Đông,Phường Nguyễn Văn Cừ>Phường Quy Nhơn Nam;Huyện Tây Sơn:Xã Bình Thành>Xã Bình An,Xã Tây Giang>Xã Bình Khê|Ba Na:2
        056|Tỉnh Khánh Hòa>Tỉnh Khánh Hòa|1.25|Thành phố Nha Trang:Phường Lộc Thọ>Phường Nha Trang,Phường Vĩnh Hải>Phường Bắc Nha Trang;Thành phố Cam Ranh:Phường Cam Nghĩa>Phường Bắc Cam Ranh,Phường Ba Ngòi>Phường Ba Ngòi|Raglai:4
        066|Tỉnh Đắk Lắk>Tỉnh Đắk Lắk|1.9|Thành phố Buôn Ma Thuột:Phường Tân Lợi>Phường Buôn Ma Thuột,Phường Tân Lập>Phường Tân Lập;Huyện Cư M'gar:Xã Quảng Tiến>Xã Quảng Phú,Xã Cư Suê>Xã Quảng Phú|Ê Đê:18,Nùng:4,M'Nông:2
        064|Tỉnh Gia Lai>Tỉnh Gia Lai|1.6|Thành phố Pleiku:Phường Diên Hồng>Phường Diên Hồng,Phường Hội Thương>Phường Pleiku;Huyện Chư Păh:Xã Nghĩa Hưng>Xã Biển Hồ,Xã Hòa Phú>Xã Chư Păh|Gia Rai:30,Ba Na:14
        068|Tỉnh Lâm Đồng>Tỉnh Lâm Đồng|1.35|Thành phố Đà Lạt:Phường 1>Phường Xuân Hương - Đà Lạt,Phường 10>Phường Xuân Hương - Đà Lạt;Thành phố Bảo Lộc:Phường Lộc Sơn>Phường B'Lao,Phường Lộc Phát>Phường 1 Bảo Lộc|Cơ Ho:11,Mạ:2
        074|Tỉnh Bình Dương>Thành phố Hồ Chí Minh|2.7|Thành phố Thủ Dầu Một:Phường Phú Cường>Phường Thủ Dầu Một,Phường Hiệp Thành>Phường Thủ Dầu Một;Thành phố Dĩ An:Phường Dĩ An>Phường Dĩ An,Phường Đông Hòa>Phường Đông Hòa|Hoa:1,Khmer:1
        075|Tỉnh Đồng Nai>Tỉnh Đồng Nai|3.2|Thành phố Biên Hòa:Phường Tân Phong>Phường Tân Triều,Phường Trảng Dài>Phường Trảng Dài;Huyện Trảng Bom:Xã Bàu Hàm>Xã Bàu Hàm,Xã Sông Trầu>Xã Trảng Bom|Hoa:3,Nùng:1
        077|Tỉnh Bà Rịa - Vũng Tàu>Thành phố Hồ Chí Minh|1.2|Thành phố Vũng Tàu:Phường Thắng Tam>Phường Vũng Tàu,Phường 7>Phường Tam Thắng;Thành phố Bà Rịa:Phường Phước Hưng>Phường Bà Rịa,Phường Long Toàn>Phường Bà Rịa|Chơ Ro:1
        072|Tỉnh Tây Ninh>Tỉnh Tây Ninh|1.2|Thành phố Tây Ninh:Phường 3>Phường Tân Ninh,Phường Ninh Sơn>Phường Bình Minh;Huyện Gò Dầu:Xã Thanh Phước>Phường Gò Dầu,Xã Phước Đông>Phường Gia Lộc|Khmer:1
        080|Tỉnh Long An>Tỉnh Tây Ninh|1.7|Thành phố Tân An:Phường 5>Phường Long An,Phường Khánh Hậu>Phường Khánh Hậu;Huyện Đức Hòa:Xã Đức Hòa Hạ>Xã Đức Hòa,Xã Hựu Thạnh>Xã Đức Hòa|
        082|Tỉnh Tiền Giang>Tỉnh Đồng Tháp|1.8|Thành phố Mỹ Tho:Phường 4>Phường Đạo Thạnh,Phường Tân Long>Phường Mỹ Tho;Huyện Cái Bè:Xã Hậu Mỹ Bắc A>Xã Hậu Mỹ,Xã An Hữu>Xã An Hữu|
        083|Tỉnh Bến Tre>Tỉnh Vĩnh Long|1.3|Thành phố Bến Tre:Phường An Hội>Phường An Hội,Phường Phú Khương>Phường Phú Khương;Huyện Mỏ Cày Nam:Xã An Thạnh>Xã Mỏ Cày,Xã Định Thủy>Xã Đồng Khởi|
        087|Tỉnh Đồng Tháp>Tỉnh Đồng Tháp|1.6|Thành phố Cao Lãnh:Phường 1>Phường Cao Lãnh,Phường Mỹ Phú>Phường Mỹ Trà;Thành phố Sa Đéc:Phường 2>Phường Sa Đéc,Xã Tân Khánh Đông>Phường Sa Đéc|
        089|Tỉnh An Giang>Tỉnh An Giang|1.9|Thành phố Long Xuyên:Phường Mỹ Bình>Phường Long Xuyên,Phường Mỹ Long>Phường Long Xuyên;Thành phố Châu Đốc:Phường Châu Phú A>Phường Châu Đốc,Phường Núi Sam>Phường Vĩnh Tế|Khmer:4,Chăm:1
        091|Tỉnh Kiên Giang>Tỉnh An Giang|1.75|Thành phố Rạch Giá:Phường Vĩnh Thanh Vân>Phường Rạch Giá,Phường Vĩnh Lạc>Phường Rạch Giá;Thành phố Phú Quốc:Phường Dương Đông>Đặc khu Phú Quốc,Xã Cửa Cạn>Đặc khu Phú Quốc|Khmer:12,Hoa:2
        094|Tỉnh Sóc Trăng>Thành phố Cần Thơ|1.2|Thành phố Sóc Trăng:Phường 1>Phường Phú Lợi,Phường 6>Phường Sóc Trăng;Huyện Mỹ Xuyên:Xã Đại Tâm>Phường Mỹ Xuyên,Xã Tham Đôn>Xã Ngọc Tố|Khmer:30,Hoa:5
        096|Tỉnh Cà Mau>Tỉnh Cà Mau|1.2|Thành phố Cà Mau:Phường 5>Phường Tân Thành,Phường 9>Phường An Xuyên;Huyện Năm Căn:Xã Hàm Rồng>Xã Năm Căn,Xã Đất Mới>Xã Đất Mới|Khmer:2
        """

    static let provinces: [Province] = table.split(separator: "\n").map { line in
        let columns = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let districts = columns[3].split(separator: ";").map { district in
            let parts = district.split(separator: ":")
            let wards = parts[1].split(separator: ",").map { ward in
                let names = ward.split(separator: ">")
                return (old: String(names[0]), new: String(names[1]))
            }
            return (name: String(parts[0]), wards: wards)
        }
        let names = columns[1].split(separator: ">")
        let minorities = columns[4].split(separator: ",").map { entry in
            let parts = entry.split(separator: ":")
            return (String(parts[0]), Double(parts[1])!)
        }
        return Province(
            code: Int(columns[0])!, name: String(names[0]), newName: String(names[1]), weight: Double(columns[2])!, districts: districts,
            minorities: minorities)
    }

    /// Where people move to when they live outside their birth province.
    static let migrationWeights: [Int: Double] = [79: 30, 1: 25, 74: 12, 75: 8, 48: 5, 31: 4, 92: 3]
}
