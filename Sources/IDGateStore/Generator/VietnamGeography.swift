/// Provinces (with their ID-number codes), districts and wards for synthetic addresses; real names, a sample of
/// each (administrative units before the 2025 reorganization, as printed on cards issued 2021–2024).
struct Province: Sendable {
    let code: Int
    let name: String
    /// Population weight (millions).
    let weight: Double
    let districts: [(name: String, wards: [String])]
    /// Share (percent) of ethnic minorities registered there; the rest are Kinh.
    let minorities: [(String, Double)]

    /// Southern provinces use the southern family-name variants (Huỳnh, Võ).
    var isSouthern: Bool { code >= 48 }
}

enum VietnamGeography {
    /// `code|name|weight|district:ward,ward;district:ward,…|minority:percent,…`
    private static let table = """
        001|Thành phố Hà Nội|8.4|Quận Cầu Giấy:Phường Dịch Vọng,Phường Trung Hòa,Phường Nghĩa Đô;Quận Hoàn Kiếm:Phường Hàng Bạc,Phường Tràng Tiền,Phường Lý Thái Tổ;Quận Đống Đa:Phường Láng Thượng,Phường Ô Chợ Dừa,Phường Kim Liên;Huyện Thanh Oai:Xã Tam Hưng,Xã Bích Hòa,Xã Cự Khê;Huyện Sóc Sơn:Xã Phù Linh,Xã Mai Đình|Mường:0.5
        079|Thành phố Hồ Chí Minh|9.4|Quận 1:Phường Bến Nghé,Phường Bến Thành,Phường Đa Kao;Quận Bình Thạnh:Phường 25,Phường 22,Phường 13;Thành phố Thủ Đức:Phường Linh Trung,Phường Hiệp Bình Chánh,Phường Thảo Điền;Quận Gò Vấp:Phường 5,Phường 17;Huyện Củ Chi:Xã Tân Thạnh Đông,Xã Phước Vĩnh An|Hoa:4,Khmer:0.5
        031|Thành phố Hải Phòng|2.1|Quận Lê Chân:Phường An Biên,Phường Trại Cau;Huyện Thủy Nguyên:Xã Lập Lễ,Xã Thủy Sơn|
        048|Thành phố Đà Nẵng|1.2|Quận Hải Châu:Phường Thạch Thang,Phường Hòa Cường Bắc;Quận Sơn Trà:Phường An Hải Bắc,Phường Mân Thái;Huyện Hòa Vang:Xã Hòa Phong,Xã Hòa Tiến|
        092|Thành phố Cần Thơ|1.2|Quận Ninh Kiều:Phường Tân An,Phường An Hòa;Huyện Phong Điền:Xã Nhơn Ái,Xã Mỹ Khánh|Khmer:2,Hoa:1
        038|Tỉnh Thanh Hóa|3.7|Thành phố Thanh Hóa:Phường Điện Biên,Phường Đông Thọ;Huyện Hoằng Hóa:Xã Hoằng Đạo,Xã Hoằng Phúc;Huyện Quảng Xương:Xã Quảng Ninh,Xã Quảng Bình|Mường:9,Thái:6
        040|Tỉnh Nghệ An|3.4|Thành phố Vinh:Phường Hưng Bình,Phường Lê Mao;Huyện Nam Đàn:Xã Kim Liên,Xã Nam Giang;Huyện Diễn Châu:Xã Diễn Kỷ,Xã Diễn Thành|Thái:9,Khơ Mú:1
        042|Tỉnh Hà Tĩnh|1.3|Thành phố Hà Tĩnh:Phường Bắc Hà,Phường Nam Hà;Huyện Can Lộc:Xã Tùng Lộc,Xã Thiên Lộc|
        036|Tỉnh Nam Định|1.9|Thành phố Nam Định:Phường Trần Hưng Đạo,Phường Vị Xuyên;Huyện Hải Hậu:Xã Hải Minh,Xã Hải Anh|
        034|Tỉnh Thái Bình|1.9|Thành phố Thái Bình:Phường Lê Hồng Phong,Phường Kỳ Bá;Huyện Vũ Thư:Xã Tam Quang,Xã Song Lãng|
        030|Tỉnh Hải Dương|1.9|Thành phố Hải Dương:Phường Trần Phú,Phường Nguyễn Trãi;Huyện Cẩm Giàng:Xã Cẩm Điền,Xã Tân Trường|
        027|Tỉnh Bắc Ninh|1.5|Thành phố Bắc Ninh:Phường Suối Hoa,Phường Vũ Ninh;Thành phố Từ Sơn:Phường Đồng Kỵ,Phường Tân Hồng|
        024|Tỉnh Bắc Giang|1.9|Thành phố Bắc Giang:Phường Trần Phú,Phường Ngô Quyền;Huyện Lục Nam:Xã Bảo Đài,Xã Cẩm Lý|Nùng:4,Tày:2,Sán Dìu:1
        022|Tỉnh Quảng Ninh|1.4|Thành phố Hạ Long:Phường Bãi Cháy,Phường Hồng Gai;Thành phố Cẩm Phả:Phường Cẩm Trung,Phường Cẩm Thủy|Dao:5,Tày:3
        033|Tỉnh Hưng Yên|1.3|Thành phố Hưng Yên:Phường Hiến Nam,Phường Lê Lợi;Huyện Văn Giang:Xã Xuân Quan,Xã Phụng Công|
        035|Tỉnh Hà Nam|0.9|Thành phố Phủ Lý:Phường Minh Khai,Phường Quang Trung;Huyện Kim Bảng:Xã Tân Sơn,Xã Nhật Tựu|
        037|Tỉnh Ninh Bình|1.0|Thành phố Ninh Bình:Phường Đông Thành,Phường Vân Giang;Huyện Hoa Lư:Xã Trường Yên,Xã Ninh Hải|Mường:2
        026|Tỉnh Vĩnh Phúc|1.2|Thành phố Vĩnh Yên:Phường Liên Bảo,Phường Đống Đa;Huyện Tam Đảo:Xã Hợp Châu,Xã Đại Đình|Sán Dìu:3
        025|Tỉnh Phú Thọ|1.5|Thành phố Việt Trì:Phường Gia Cẩm,Phường Tiên Cát;Huyện Lâm Thao:Xã Sơn Vi,Xã Cao Xá|Mường:13,Dao:1
        019|Tỉnh Thái Nguyên|1.3|Thành phố Thái Nguyên:Phường Hoàng Văn Thụ,Phường Phan Đình Phùng;Huyện Đại Từ:Xã La Bằng,Xã Hùng Sơn|Tày:10,Nùng:5,Dao:2
        020|Tỉnh Lạng Sơn|0.8|Thành phố Lạng Sơn:Phường Chi Lăng,Phường Vĩnh Trại;Huyện Cao Lộc:Xã Hợp Thành,Xã Thạch Đạn|Nùng:42,Tày:35,Dao:3
        010|Tỉnh Lào Cai|0.75|Thành phố Lào Cai:Phường Cốc Lếu,Phường Kim Tân;Thị xã Sa Pa:Phường Sa Pa,Xã Tả Van|H'Mông:25,Tày:15,Dao:14,Giáy:5
        014|Tỉnh Sơn La|1.3|Thành phố Sơn La:Phường Chiềng Lề,Phường Quyết Thắng;Huyện Mộc Châu:Xã Chiềng Sơn,Xã Đông Sang|Thái:53,H'Mông:16,Mường:7
        002|Tỉnh Hà Giang|0.9|Thành phố Hà Giang:Phường Minh Khai,Phường Nguyễn Trãi;Huyện Đồng Văn:Xã Lũng Cú,Xã Sủng Là|H'Mông:33,Tày:23,Dao:15,Nùng:9
        004|Tỉnh Cao Bằng|0.55|Thành phố Cao Bằng:Phường Hợp Giang,Phường Sông Bằng;Huyện Trùng Khánh:Xã Đàm Thủy,Xã Đình Phong|Tày:41,Nùng:31,H'Mông:11,Dao:10
        046|Tỉnh Thừa Thiên Huế|1.15|Thành phố Huế:Phường Phú Hội,Phường Vĩnh Ninh;Huyện Phú Vang:Xã Phú Thuận,Xã Phú Diên|Tà Ôi:3
        044|Tỉnh Quảng Bình|0.9|Thành phố Đồng Hới:Phường Hải Đình,Phường Đồng Phú;Huyện Bố Trạch:Xã Sơn Trạch,Xã Hưng Trạch|Bru-Vân Kiều:2
        045|Tỉnh Quảng Trị|0.65|Thành phố Đông Hà:Phường 1,Phường 5;Huyện Hải Lăng:Xã Hải Phú,Xã Hải Thượng|Bru-Vân Kiều:9,Tà Ôi:3
        049|Tỉnh Quảng Nam|1.5|Thành phố Hội An:Phường Minh An,Phường Cẩm Phô;Thành phố Tam Kỳ:Phường An Mỹ,Phường Hòa Hương|Cơ Tu:3,Xơ Đăng:3
        051|Tỉnh Quảng Ngãi|1.25|Thành phố Quảng Ngãi:Phường Trần Phú,Phường Lê Hồng Phong;Huyện Sơn Tịnh:Xã Tịnh Hà,Xã Tịnh Bắc|Hrê:10,Co:2
        052|Tỉnh Bình Định|1.5|Thành phố Quy Nhơn:Phường Lê Lợi,Phường Nguyễn Văn Cừ;Huyện Tây Sơn:Xã Bình Thành,Xã Tây Giang|Ba Na:2
        056|Tỉnh Khánh Hòa|1.25|Thành phố Nha Trang:Phường Lộc Thọ,Phường Vĩnh Hải;Thành phố Cam Ranh:Phường Cam Nghĩa,Phường Ba Ngòi|Raglai:4
        066|Tỉnh Đắk Lắk|1.9|Thành phố Buôn Ma Thuột:Phường Tân Lợi,Phường Thắng Lợi;Huyện Cư M'gar:Xã Ea Pốk,Xã Cư Suê|Ê Đê:18,Nùng:4,M'Nông:2
        064|Tỉnh Gia Lai|1.6|Thành phố Pleiku:Phường Diên Hồng,Phường Hội Thương;Huyện Chư Păh:Xã Nghĩa Hưng,Xã Hòa Phú|Gia Rai:30,Ba Na:14
        068|Tỉnh Lâm Đồng|1.35|Thành phố Đà Lạt:Phường 1,Phường 10;Thành phố Bảo Lộc:Phường Lộc Sơn,Phường B'Lao|Cơ Ho:11,Mạ:2
        074|Tỉnh Bình Dương|2.7|Thành phố Thủ Dầu Một:Phường Phú Cường,Phường Hiệp Thành;Thành phố Dĩ An:Phường Dĩ An,Phường Đông Hòa|Hoa:1,Khmer:1
        075|Tỉnh Đồng Nai|3.2|Thành phố Biên Hòa:Phường Tân Phong,Phường Trảng Dài;Huyện Trảng Bom:Xã Bàu Hàm,Xã Sông Trầu|Hoa:3,Nùng:1
        077|Tỉnh Bà Rịa - Vũng Tàu|1.2|Thành phố Vũng Tàu:Phường Thắng Tam,Phường 7;Thành phố Bà Rịa:Phường Phước Hiệp,Phường Long Toàn|Chơ Ro:1
        072|Tỉnh Tây Ninh|1.2|Thành phố Tây Ninh:Phường 3,Phường Ninh Sơn;Huyện Gò Dầu:Xã Thanh Phước,Xã Phước Đông|Khmer:1
        080|Tỉnh Long An|1.7|Thành phố Tân An:Phường 2,Phường Khánh Hậu;Huyện Đức Hòa:Xã Đức Hòa Hạ,Xã Hựu Thạnh|
        082|Tỉnh Tiền Giang|1.8|Thành phố Mỹ Tho:Phường 4,Phường Tân Long;Huyện Cái Bè:Xã Hậu Mỹ Bắc A,Xã An Hữu|
        083|Tỉnh Bến Tre|1.3|Thành phố Bến Tre:Phường An Hội,Phường Phú Khương;Huyện Mỏ Cày Nam:Xã An Thạnh,Xã Định Thủy|
        087|Tỉnh Đồng Tháp|1.6|Thành phố Cao Lãnh:Phường 1,Phường Mỹ Phú;Thành phố Sa Đéc:Phường 2,Xã Tân Khánh Đông|
        089|Tỉnh An Giang|1.9|Thành phố Long Xuyên:Phường Mỹ Bình,Phường Mỹ Long;Thành phố Châu Đốc:Phường Châu Phú A,Phường Núi Sam|Khmer:4,Chăm:1
        091|Tỉnh Kiên Giang|1.75|Thành phố Rạch Giá:Phường Vĩnh Thanh Vân,Phường Vĩnh Lạc;Thành phố Phú Quốc:Phường Dương Đông,Xã Cửa Cạn|Khmer:12,Hoa:2
        094|Tỉnh Sóc Trăng|1.2|Thành phố Sóc Trăng:Phường 1,Phường 6;Huyện Mỹ Xuyên:Xã Đại Tâm,Xã Tham Đôn|Khmer:30,Hoa:5
        096|Tỉnh Cà Mau|1.2|Thành phố Cà Mau:Phường 5,Phường 9;Huyện Năm Căn:Xã Hàm Rồng,Xã Đất Mới|Khmer:2
        """

    static let provinces: [Province] = table.split(separator: "\n").map { line in
        let columns = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let districts = columns[3].split(separator: ";").map { district in
            let parts = district.split(separator: ":")
            return (name: String(parts[0]), wards: parts[1].split(separator: ",").map(String.init))
        }
        let minorities = columns[4].split(separator: ",").map { entry in
            let parts = entry.split(separator: ":")
            return (String(parts[0]), Double(parts[1])!)
        }
        return Province(
            code: Int(columns[0])!, name: columns[1], weight: Double(columns[2])!, districts: districts,
            minorities: minorities)
    }

    /// Where people move to when they live outside their birth province.
    static let migrationWeights: [Int: Double] = [79: 30, 1: 25, 74: 12, 75: 8, 48: 5, 31: 4, 92: 3]
}
